import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  EmailVerificationRequestedSchema,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { createDb, type Db } from "@shopmesh/kit/db";
import { createTestDatabase, type TestDatabase } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditedEvent } from "../src/domain/audited-event.ts";
import { entryHash } from "../src/domain/chain.ts";
import { REDACTED } from "../src/domain/summary.ts";
import { type AuditStore, createAuditStore, MIGRATIONS } from "../src/store/index.ts";

/** The audit log in the database: append under concurrency, append-only, tamper evidence. */

interface Log {
  db: Db;
  store: AuditStore;
  record(event?: Partial<AuditedEvent>): Promise<unknown>;
  close(): Promise<void>;
}

const databases: TestDatabase[] = [];

async function openLog(): Promise<Log> {
  const database = await createTestDatabase();
  databases.push(database);
  const db = await createDb({ url: database.url, schema: "audit", entities: [], migrations: MIGRATIONS });
  const store = createAuditStore({ db });
  return {
    db,
    store,
    record: (event = {}) => db.transaction((em) => store.record(em, signup(event))),
    close: () => db.close(),
  };
}

function signup(overrides: Partial<AuditedEvent> = {}): AuditedEvent {
  const userId = randomUUID();
  return {
    id: randomUUID(),
    type: UserRegisteredSchema.typeName,
    context: "identity",
    subject: userId,
    time: new Date("2026-03-01T10:00:00.123Z"),
    actor: `user:${userId}`,
    correlationId: randomUUID(),
    causationId: "",
    schema: UserRegisteredSchema,
    data: create(UserRegisteredSchema, { userId, email: "someone@example.com", locale: "en" }),
    ...overrides,
  };
}

async function refused(db: Db, sql: string): Promise<string> {
  const error = await db.execute(sql).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  expect(error, `${sql} should have been refused`).toBeInstanceOf(Error);
  return error!.message;
}

afterAll(async () => {
  for (const database of databases) await database.drop();
});

describe("appending", () => {
  let log: Log;
  beforeAll(async () => {
    log = await openLog();
  });
  afterAll(() => log.close());

  it("keeps one unbroken chain when many events are appended at once", async () => {
    await Promise.all(Array.from({ length: 40 }, () => log.record()));
    const rows = await log.db.execute<{ n: string }>(
      "select sequence::text as n from audit_entries order by audit_entries.sequence",
    );
    expect(rows.map((row) => Number(row.n))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const result = await log.store.verify();
    expect(result).toMatchObject({ valid: true, entriesChecked: 40, head: { sequence: 40 } });
    expect(result.firstBreak).toBeUndefined();
  });

  it("appends an event once, even when it comes again after its inbox row is gone", async () => {
    const event = signup();
    const first = await log.db.transaction((em) => log.store.record(em, event));
    const again = await log.db.transaction((em) => log.store.record(em, event));
    expect(first).toMatchObject({ eventId: event.id });
    expect(again).toBeUndefined();
    const [row] = await log.db.execute<{ n: string }>(
      "select count(*)::text as n from audit_entries where event_id = ?",
      [event.id],
    );
    expect(row?.n).toBe("1");
  });

  it("stores the envelope and a redacted summary", async () => {
    const event = signup({
      type: EmailVerificationRequestedSchema.typeName,
      schema: EmailVerificationRequestedSchema,
      data: create(EmailVerificationRequestedSchema, {
        userId: "u-9",
        email: "u9@example.com",
        token: "the-secret-token",
      }),
      causationId: "cause-1",
    });
    await log.db.transaction((em) => log.store.record(em, event));
    const [entry] = await log.store.list({ subject: event.subject }, undefined, 10);
    expect(entry).toMatchObject({
      eventId: event.id,
      eventType: EmailVerificationRequestedSchema.typeName,
      context: "identity",
      actor: event.actor,
      subject: event.subject,
      correlationId: event.correlationId,
      causationId: "cause-1",
      eventTime: event.time,
      payloadSummary: { userId: "u-9", token: REDACTED },
    });
    const [raw] = await log.db.execute<{ payload_summary: unknown }>(
      "select payload_summary::text as payload_summary from audit_entries where event_id = ?",
      [event.id],
    );
    expect(String(raw?.payload_summary)).not.toContain("the-secret-token");
    expect(String(raw?.payload_summary)).not.toContain("u9@example.com");
  });

  it("refuses to change or delete entries, and to move the head back", async () => {
    expect(await refused(log.db, "update audit_entries set actor = 'user:x' where sequence = 1")).toMatch(
      /append-only/,
    );
    expect(await refused(log.db, "delete from audit_entries where sequence = 1")).toMatch(/append-only/);
    expect(await refused(log.db, "truncate audit_entries")).toMatch(/append-only/);
    expect(await refused(log.db, "update audit_chain_head set sequence = 1")).toMatch(/one entry forward/);
    expect(await refused(log.db, "delete from audit_chain_head")).toMatch(/one entry forward/);
    expect((await log.store.verify()).valid).toBe(true);
  });
});

describe("verification", () => {
  /** A log of 10 entries whose append-only trigger is dropped, as a superuser could. */
  async function tamperable(): Promise<Log> {
    const log = await openLog();
    for (let n = 0; n < 10; n++) await log.record();
    expect((await log.store.verify()).valid).toBe(true);
    await log.db.execute("drop trigger audit_entries_append_only on audit_entries");
    return log;
  }

  it("finds a row changed with plain SQL", async () => {
    const log = await tamperable();
    await log.db.execute(
      `update audit_entries set payload_summary = jsonb_set(payload_summary, '{userId}', '"someone-else"')
       where sequence = 6`,
    );
    const result = await log.store.verify();
    expect(result).toMatchObject({
      valid: false,
      firstBreak: { sequence: 6, kind: "hash_mismatch" },
      entriesChecked: 6,
    });
    await log.close();
  });

  it("finds a changed row whose hash was recomputed, at the next entry", async () => {
    const log = await tamperable();
    const [entry] = await log.store.list({}, 4, 1);
    expect(entry?.sequence).toBe(3);
    const forged = { ...entry!, actor: "user:someone-else" };
    await log.db.execute("update audit_entries set actor = ?, hash = ? where sequence = 3", [
      forged.actor,
      entryHash(forged.previousHash, forged),
    ]);
    expect((await log.store.verify()).firstBreak).toMatchObject({ sequence: 4, kind: "link_mismatch" });
    await log.close();
  });

  it("finds a deleted row", async () => {
    const log = await tamperable();
    await log.db.execute("delete from audit_entries where sequence = 7");
    expect((await log.store.verify()).firstBreak).toMatchObject({ sequence: 7, kind: "sequence_gap" });
    await log.close();
  });

  it("finds rows deleted from the end through the chain head", async () => {
    const log = await tamperable();
    await log.db.execute("delete from audit_entries where sequence >= 9");
    expect(await log.store.verify()).toMatchObject({
      valid: false,
      firstBreak: { sequence: 9, kind: "head_mismatch" },
      head: { sequence: 10 },
    });
    await log.close();
  });
});
