import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, createSql, type Db, parameters, sqlTransaction } from "../src/db/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

/** Plain SQL on the ORM's pool: prepared statements with bound values, and transactions. */

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await createDb({
    url: database.url,
    schema: "sqltest",
    entities: [],
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
