import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, defineEntity, type Migration, p } from "../src/db/index.ts";
import {
  createTestDatabase,
  dropTestDatabase,
  randomToken,
  type TestDatabase,
  waitFor,
} from "../src/testing/index.ts";

const Note = defineEntity({
  name: "Note",
  tableName: "notes",
  properties: {
    id: p.uuid().primary(),
    body: p.text(),
  },
});

const migrations: Migration[] = [
  { name: "0001_notes", up: "create table notes (id uuid primary key, body text not null)" },
  {
    name: "0002_runs",
    // Counts its own runs (no unique key), and is slow enough for replicas to overlap.
    up: [
      "create table if not exists migration_runs (at timestamptz not null default now())",
      "select pg_sleep(0.3)",
      "insert into migration_runs default values",
    ],
  },
];

function freshDatabaseUrl(): { url: string; name: string } {
  const name = `shopmesh_test_${randomToken(10)}`;
  const url = new URL(process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

describe("createDb", () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await dropTestDatabase(name);
  });

  it("creates the missing database once when two replicas start together, and migrates exactly once", async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    const [a, b] = await Promise.all([
      createDb({ url, schema: "svc", entities: [Note], migrations }),
      createDb({ url, schema: "svc", entities: [Note], migrations }),
    ]);
    try {
      const runs = await a.execute<{ n: string }>("select count(*) as n from svc.migration_runs");
      expect(Number(runs[0]!.n)).toBe(1);
      const applied = await b.execute<{ name: string }>(
        "select name from svc.schema_migrations order by name",
      );
      expect(applied.map((row) => row.name)).toEqual(["0001_notes", "0002_runs"]);
      expect(await a.ping()).toBe(true);
      expect(await b.ping()).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("applies only migrations it has not seen when a newer version starts", async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    const first = await createDb({ url, schema: "svc", entities: [Note], migrations });
    await first.close();
    const next = await createDb({
      url,
      schema: "svc",
      entities: [Note],
      migrations: [...migrations, { name: "0003_tags", up: "alter table notes add column tag text" }],
    });
    try {
      const runs = await next.execute<{ n: string }>("select count(*) as n from svc.migration_runs");
      expect(Number(runs[0]!.n)).toBe(1);
      const columns = await next.execute<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'svc' and table_name = 'notes'",
      );
      expect(columns.map((c) => c.column_name).sort()).toEqual(["body", "id", "tag"]);
    } finally {
      await next.close();
    }
  });

  it("rolls back a failing migration whole, keeps the earlier ones, and names it in the error", async () => {
    const { url, name } = freshDatabaseUrl();
    created.push(name);
    const broken: Migration[] = [
      migrations[0]!,
      { name: "0002_broken", up: ["create table half (id int)", "select no_such_function()"] },
    ];
    await expect(createDb({ url, schema: "svc", entities: [Note], migrations: broken })).rejects.toThrow(
      /migration "0002_broken" in schema svc failed/,
    );
    const db = await createDb({ url, schema: "svc", entities: [Note], migrations: [migrations[0]!] });
    try {
      const applied = await db.execute<{ name: string }>("select name from schema_migrations");
      expect(applied.map((row) => row.name)).toEqual(["0001_notes"]);
      const half = await db.execute("select 1 from information_schema.tables where table_name = 'half'");
      expect(half).toHaveLength(0);
    } finally {
      await db.close();
    }
  });

  it("rejects bad options naming the field, before touching the database", async () => {
    const url = "postgres://postgres@127.0.0.1:1/never";
    await expect(createDb({ url, schema: "Bad-Schema", entities: [], migrations: [] })).rejects.toThrow(
      /^schema:/,
    );
    await expect(
      createDb({
        url,
        schema: "svc",
        entities: [],
        migrations: [
          { name: "a", up: "select 1" },
          { name: "a", up: "select 2" },
        ],
      }),
    ).rejects.toThrow(/^migrations\[1\]\.name: duplicate/);
    await expect(
      createDb({ url, schema: "svc", entities: [], migrations: [{ name: "a", up: [] }] }),
    ).rejects.toThrow(/^migrations\[0\]\.up:/);
    await expect(
      createDb({ url: "postgres://127.0.0.1:5432", schema: "svc", entities: [], migrations: [] }),
    ).rejects.toThrow(/^url: must name a database/);
    await expect(createDb({ url, schema: "svc", entities: [], migrations: [], poolMax: 0 })).rejects.toThrow(
      /^poolMax:/,
    );
  });
});

describe("Db", () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDb({
      url: database.url,
      schema: "notes_svc",
      entities: [Note],
      migrations: [migrations[0]!],
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("keeps entities in the service's own schema and resolves unqualified raw SQL there", async () => {
    const id = randomUUID();
    await db.transaction(async (em) => {
      em.create(Note, { id, body: "hello" });
    });
    const qualified = await db.execute<{ body: string }>("select body from notes_svc.notes where id = ?", [
      id,
    ]);
    expect(qualified).toEqual([{ body: "hello" }]);
    const unqualified = await db.execute<{ body: string }>("select body from notes where id = ?", [id]);
    expect(unqualified).toEqual([{ body: "hello" }]);
    const found = await db.em().findOne(Note, { id });
    expect(found?.body).toBe("hello");
  });

  it("commits nothing of a transaction that throws", async () => {
    const id = randomUUID();
    await expect(
      db.transaction(async (em) => {
        em.create(Note, { id, body: "lost" });
        await em.flush();
        await em.execute("insert into notes (id, body) values (?, 'also lost')", [randomUUID()]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.execute("select 1 from notes where body in ('lost', 'also lost')")).toHaveLength(0);
  });

  it("gives each caller its own EntityManager", () => {
    expect(db.em()).not.toBe(db.em());
  });

  it("delivers NOTIFY payloads to a listener, and none after it is closed", async () => {
    const payloads: string[] = [];
    const listener = await db.listen("notes_svc.test_channel", {
      onNotify: (payload) => payloads.push(payload),
    });
    await db.execute("select pg_notify('notes_svc.test_channel', 'one')");
    await waitFor(() => payloads.length === 1, { message: "first notification" });
    await listener.close();
    await db.execute("select pg_notify('notes_svc.test_channel', 'two')");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(payloads).toEqual(["one"]);
  });
});
