import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDb,
  type Db,
  dbErrorToCode,
  defineEntity,
  IsolationLevel,
  isOptimisticLockError,
  isRetryableTxError,
  isUnavailableError,
  isUniqueViolation,
  p,
} from "../src/db/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

const Account = defineEntity({
  name: "Account",
  tableName: "accounts",
  properties: {
    id: p.uuid().primary(),
    email: p.text(),
    balance: p.integer(),
    version: p.integer().version(),
  },
});

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("database errors", () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDb({
      url: database.url,
      schema: "bank",
      entities: [Account],
      migrations: [
        {
          name: "0001_accounts",
          up: `create table accounts (
                 id uuid primary key,
                 email text not null constraint accounts_email_key unique,
                 balance integer not null,
                 version integer not null default 1
               )`,
        },
      ],
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("reports a unique violation by constraint and maps it to AlreadyExists", async () => {
    await db.execute("insert into accounts (id, email, balance) values (?, 'a@example.com', 0)", [
      randomUUID(),
    ]);
    const viaOrm = await caught(() =>
      db.transaction(async (em) => {
        em.create(Account, { id: randomUUID(), email: "a@example.com", balance: 0 });
      }),
    );
    expect(isUniqueViolation(viaOrm)).toBe(true);
    expect(isUniqueViolation(viaOrm, "accounts_email_key")).toBe(true);
    expect(isUniqueViolation(viaOrm, "accounts_pkey")).toBe(false);
    expect(dbErrorToCode(viaOrm)).toBe("AlreadyExists");

    const viaSql = await caught(() =>
      db.execute("insert into accounts (id, email, balance) values (?, 'a@example.com', 0)", [randomUUID()]),
    );
    expect(isUniqueViolation(viaSql, "accounts_email_key")).toBe(true);
  });

  it("maps a serialization failure to Aborted as retryable", async () => {
    const id = randomUUID();
    await db.execute("insert into accounts (id, email, balance) values (?, ?, 10)", [
      id,
      `${id}@example.com`,
    ]);
    const err = await caught(() =>
      db.transaction(
        async (em) => {
          await em.execute("select balance from accounts where id = ?", [id]);
          // Another session changes the row after our snapshot was taken.
          await db.execute("update accounts set balance = 20 where id = ?", [id]);
          await em.execute("update accounts set balance = 30 where id = ?", [id]);
        },
        { isolationLevel: IsolationLevel.REPEATABLE_READ },
      ),
    );
    expect(isRetryableTxError(err)).toBe(true);
    expect(dbErrorToCode(err)).toBe("Aborted");
  });

  it("maps a stale versioned update to Aborted", async () => {
    const id = randomUUID();
    await db.transaction(async (em) => {
      em.create(Account, { id, email: `${id}@example.com`, balance: 1 });
    });
    const em = db.em();
    const stale = await em.findOneOrFail(Account, { id });
    await db.execute("update accounts set balance = 2, version = version + 1 where id = ?", [id]);
    stale.balance = 3;
    const err = await caught(() => em.flush());
    expect(isOptimisticLockError(err)).toBe(true);
    expect(dbErrorToCode(err)).toBe("Aborted");
  });

  it("maps an unreachable server to Unavailable", async () => {
    const err = await caught(() =>
      createDb({ url: "postgres://postgres@127.0.0.1:1/nothing", schema: "x", entities: [], migrations: [] }),
    );
    expect(isUnavailableError(err)).toBe(true);
    expect(dbErrorToCode(err)).toBe("Unavailable");
  });

  it("leaves bugs unmapped so they surface as Internal", async () => {
    const err = await caught(() => db.execute("select * from no_such_table"));
    expect(dbErrorToCode(err)).toBeUndefined();
    expect(dbErrorToCode(new Error("plain"))).toBeUndefined();
  });
});
