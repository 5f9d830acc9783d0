import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertedTables } from "../src/db/committed-inserts.ts";
import {
  createDb,
  createSql,
  type Db,
  defineEntity,
  parameters,
  p as property,
  reportInsertOnCommit,
  sqlTransaction,
  watchCommittedInserts,
} from "../src/db/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

/** Plain SQL on the ORM's pool: prepared statements with bound values, and transactions. */

const Item = defineEntity({
  name: "Item",
  tableName: "items",
  properties: { id: property.integer().primary(), name: property.text() },
});

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await createDb({
    url: database.url,
    schema: "sqltest",
    entities: [Item],
    migrations: [{ name: "0001_items", up: "create table items (id int primary key, name text not null)" }],
  });
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("createSql and sqlTransaction", () => {
  it("binds values instead of inlining them, and prepares each text once per session", async () => {
    const sql = createSql(await db.pool());
    const insert = "insert into items (id, name) values ($1, $2)";
    expect((await sql.query(insert, [1, "o'brien; drop table items"])).rowCount).toBe(1);
    expect((await sql.query(insert, [2, "second"])).rowCount).toBe(1);
    const { rows } = await sql.query<{ name: string }>("select name from items where id = $1", [1]);
    expect(rows).toEqual([{ name: "o'brien; drop table items" }]);
    // a statement prepared on a session is listed there under the kit's name for its text
    const prepared = await sqlTransaction(await db.pool(), async (session) => {
      await session.query("select name from items where id = $1", [2]);
      return (await session.query<{ statement: string }>("select statement from pg_prepared_statements"))
        .rows;
    });
    expect(prepared.map((row) => row.statement)).toContain("select name from items where id = $1");
  });

  it("commits what the function did, and rolls all of it back when it throws", async () => {
    const pool = await db.pool();
    await sqlTransaction(pool, async (sql) => {
      await sql.query("insert into items (id, name) values ($1, $2)", [10, "kept"]);
    });
    await expect(
      sqlTransaction(pool, async (sql) => {
        await sql.query("insert into items (id, name) values ($1, $2)", [11, "lost"]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const { rows } = await createSql(pool).query<{ id: number }>(
      "select id from items where id = any($1::int[]) order by id",
      [[10, 11]],
    );
    expect(rows).toEqual([{ id: 10 }]);
  });

  it("numbers the parameters of a statement built from parts", () => {
    const p = parameters();
    const text = `select * from items where id = ${p.add(3, "int")} and name = ${p.add("x")}`;
    expect(text).toBe("select * from items where id = $1::int and name = $2");
    expect(p.values).toEqual([3, "x"]);
  });
});

describe("genericPlans", () => {
  /** How often PostgreSQL planned a prepared statement generically and per value, on one session. */
  async function plansOf(pool: Awaited<ReturnType<Db["pool"]>>, text: string, runs: number) {
    return sqlTransaction(pool, async (session) => {
      for (let id = 0; id < runs; id++) await session.query(text, [id]);
      const { rows } = await session.query<{ generic: string; custom: string }>(
        "select generic_plans::text as generic, custom_plans::text as custom from pg_prepared_statements where statement = $1",
        [text],
      );
      return rows[0];
    });
  }

  it("plans prepared statements once per session when set, and per value by default", async () => {
    const generic = await createDb({
      url: database.url,
      schema: "sqltest",
      entities: [],
      migrations: [],
      genericPlans: true,
    });
    try {
      const text = "select name from items where id = $1 and name <> 'generic'";
      expect(await plansOf(await generic.pool(), text, 3)).toEqual({ generic: "3", custom: "0" });
    } finally {
      await generic.close();
    }
    const text = "select name from items where id = $1 and name <> 'default'";
    expect(await plansOf(await db.pool(), text, 3)).toEqual({ generic: "0", custom: "3" });
  });

  it("refuses a value that is not a boolean, naming the option", async () => {
    await expect(
      createDb({
        url: database.url,
        schema: "sqltest",
        entities: [],
        migrations: [],
        genericPlans: "yes" as unknown as boolean,
      }),
    ).rejects.toThrow("genericPlans: must be a boolean");
  });
});

describe("committed inserts", () => {
  it("reads the tables a statement inserts into", () => {
    expect(insertedTables("select 1")).toEqual([]);
    expect(insertedTables("INSERT INTO outbox_events (id) values ($1)")).toEqual(["outbox_events"]);
    expect(
      insertedTables(`with a as (insert into "sales".orders (id) values ($1) returning id),
        b as (insert into outbox_events (id) select id from a) insert into Orders_History (id) select 1`),
    ).toEqual(["orders", "outbox_events", "orders_history"]);
  });

  /** Collects what is reported for `items` while `fn` runs, and what was reported before it returned. */
  async function reportsDuring(fn: (seen: () => number) => Promise<unknown>) {
    let reports = 0;
    const unwatch = watchCommittedInserts("items", () => reports++);
    try {
      await fn(() => reports).catch(() => undefined);
      return reports;
    } finally {
      unwatch();
    }
  }

  it("reports a plain statement's insert once it ran, and a transaction's only after COMMIT", async () => {
    const pool = await db.pool();
    expect(
      await reportsDuring(() =>
        createSql(pool).query("insert into items (id, name) values ($1, $2)", [100, "a"]),
      ),
    ).toBe(1);
    expect(
      await reportsDuring(() => createSql(pool).query("select name from items where id = $1", [100])),
    ).toBe(0);
    let insideTransaction = -1;
    const committed = await reportsDuring((seen) =>
      sqlTransaction(pool, async (sql) => {
        await sql.query("insert into items (id, name) values ($1, $2)", [101, "b"]);
        await sql.query("insert into items (id, name) values ($1, $2)", [102, "c"]);
        insideTransaction = seen();
      }),
    );
    expect({ insideTransaction, committed }).toEqual({ insideTransaction: 0, committed: 1 });
    const rolledBack = await reportsDuring(() =>
      sqlTransaction(pool, async (sql) => {
        await sql.query("insert into items (id, name) values ($1, $2)", [103, "d"]);
        throw new Error("changed my mind");
      }),
    );
    expect(rolledBack).toBe(0);
  });

  it("reports the ORM's inserts after its transaction commits, and none of a rolled-back one", async () => {
    let insideTransaction = -1;
    const committed = await reportsDuring((seen) =>
      db.transaction(async (em) => {
        em.create(Item, { id: 200, name: "orm" });
        await em.flush();
        insideTransaction = seen();
      }),
    );
    expect({ insideTransaction, committed }).toEqual({ insideTransaction: 0, committed: 1 });
    const rolledBack = await reportsDuring(() =>
      db.transaction(async (em) => {
        em.create(Item, { id: 201, name: "lost" });
        await em.flush();
        throw new Error("changed my mind");
      }),
    );
    expect(rolledBack).toBe(0);
    const em = db.em();
    em.create(Item, { id: 202, name: "implicit" });
    expect(await reportsDuring(() => em.flush())).toBe(1);
  });

  it("reports inserts made past the unit of work when told to: after COMMIT, or at once outside a transaction", async () => {
    let insideTransaction = -1;
    const committed = await reportsDuring((seen) =>
      db.transaction(async (em) => {
        await em.execute("insert into items (id, name) values (?, ?)", [300, "raw"]);
        reportInsertOnCommit(em, "items");
        insideTransaction = seen();
      }),
    );
    expect({ insideTransaction, committed }).toEqual({ insideTransaction: 0, committed: 1 });
    const rolledBack = await reportsDuring(() =>
      db.transaction(async (em) => {
        await em.execute("insert into items (id, name) values (?, ?)", [301, "raw"]);
        reportInsertOnCommit(em, "items");
        throw new Error("changed my mind");
      }),
    );
    expect(rolledBack).toBe(0);
    expect(await reportsDuring(async () => reportInsertOnCommit(db.em(), "items"))).toBe(1);
  });
});
