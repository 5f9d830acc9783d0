import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDb,
  createSql,
  type Db,
  defineEntity,
  p,
  parameters,
  sqlTransaction,
} from "../src/db/index.ts";
import {
  createOutboxRelay,
  createOutboxRows,
  domainEvent,
  EVENTS_MIGRATIONS,
  ensureStream,
  type OutboxRelay,
  outboxEntities,
  outboxInsert,
  recordEvent,
  streamName,
} from "../src/events/index.ts";
import { createLogger } from "../src/log/index.ts";
import { createMetrics } from "../src/metrics/index.ts";
import {
  connectTestNats,
  createTestDatabase,
  deleteStreams,
  readStream,
  recordStatements,
  statementSummary,
  type TestDatabase,
  testPrefix,
  waitFor,
} from "../src/testing/index.ts";

const User = defineEntity({
  name: "User",
  tableName: "users",
  properties: {
    id: p.uuid().primary(),
    email: p.text(),
  },
});

const migrations = [
  ...EVENTS_MIGRATIONS,
  { name: "0001_users", up: "create table users (id uuid primary key, email text not null)" },
];

const logger = createLogger({ service: "kit-test", level: "silent" });

describe("transactional outbox", () => {
  const prefix = testPrefix();
  const stream = streamName(prefix, "identity");
  let database: TestDatabase;
  let db: Db;
  let nats: NatsConnection;
  const relays: OutboxRelay[] = [];
  const extraDbs: Db[] = [];

  const relay = (options: Partial<Parameters<typeof createOutboxRelay>[0]> = {}) => {
    const created = createOutboxRelay({ db, nats, context: "identity", prefix, logger, ...options });
    relays.push(created);
    return created;
  };

  /** Registers a user and records its event in one transaction, as a service does. */
  const register = (email: string, options: { fail?: boolean } = {}) =>
    db.transaction(async (em) => {
      const user = em.create(User, { id: randomUUID(), email });
      const eventId = recordEvent(em, {
        context: "identity",
        prefix,
        schema: UserRegisteredSchema,
        aggregateId: user.id,
        data: { userId: user.id, email, displayName: "Ada", locale: "en" },
        meta: {
          correlationId: "corr-1",
          causationId: "req-1",
          actor: `user:${user.id}`,
          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        },
      });
      if (options.fail) {
        await em.flush();
        throw new Error("rolled back");
      }
      return { userId: user.id, eventId };
    });

  const messagesWithId = async (eventId: string) =>
    (await readStream(stream, nats)).filter((msg) => msg.header?.get("ce-id") === eventId);

  const unpublished = async () =>
    Number(
      (
        await db.execute<{ n: string }>("select count(*) as n from outbox_events where published_at is null")
      )[0]!.n,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDb({
      url: database.url,
      schema: "identity",
      entities: [User, ...outboxEntities],
      migrations,
    });
    nats = await connectTestNats();
    // The stream exists before the first flush, as after any relay's start().
    await ensureStream(await jetstreamManager(nats), prefix, "identity");
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await Promise.all(extraDbs.map((extra) => extra.close()));
    await db?.close();
    await database?.drop();
    if (nats) {
      await deleteStreams(prefix, nats);
      await nats.close();
    }
  });

  it("commits the state change and its outbox row together", async () => {
    const { userId, eventId } = await register("both@example.com");
    const users = await db.execute("select 1 from users where id = ?", [userId]);
    const rows = await db.execute<{
      type: string;
      subject: string;
      aggregate_id: string;
      published_at: unknown;
    }>("select type, subject, aggregate_id, published_at from outbox_events where id = ?", [eventId]);
    expect(users).toHaveLength(1);
    expect(rows).toEqual([
      {
        type: "shopmesh.identity.v1.UserRegistered",
        subject: `${prefix}.identity.user_registered`,
        aggregate_id: userId,
        published_at: null,
      },
    ]);
    await relay().flush();
  });

  it("leaves no state and no event behind a rolled-back transaction, so nothing is published", async () => {
    await relay().flush();
    const before = (await readStream(stream, nats)).length;
    await expect(register("gone@example.com", { fail: true })).rejects.toThrow("rolled back");
    expect(await db.execute("select 1 from users where email = 'gone@example.com'")).toHaveLength(0);
    expect(await unpublished()).toBe(0);
    expect(await relay().flush()).toBe(0);
    expect(await readStream(stream, nats)).toHaveLength(before);
  });

  it("publishes the event on its subject with the CloudEvents headers, Nats-Msg-Id and protobuf body", async () => {
    const { userId, eventId } = await register("ada@example.com");
    expect(await relay().flush()).toBe(1);

    const [msg] = await messagesWithId(eventId);
    expect(msg).toBeDefined();
    expect(msg!.subject).toBe(`${prefix}.identity.user_registered`);
    const h = msg!.header;
    expect(h.get("Nats-Msg-Id")).toBe(eventId);
    expect(h.get("ce-specversion")).toBe("1.0");
    expect(h.get("ce-source")).toBe("shopmesh/identity");
    expect(h.get("ce-type")).toBe("shopmesh.identity.v1.UserRegistered");
    expect(h.get("ce-subject")).toBe(userId);
    expect(h.get("ce-datacontenttype")).toBe("application/protobuf");
    expect(Math.abs(Date.parse(h.get("ce-time")) - Date.now())).toBeLessThan(60_000);
    expect(h.get("traceparent")).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(h.get("shopmesh-correlation-id")).toBe("corr-1");
    expect(h.get("shopmesh-causation-id")).toBe("req-1");
    expect(h.get("shopmesh-actor")).toBe(`user:${userId}`);
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    const body = fromBinary(UserRegisteredSchema, msg!.data);
    expect(body).toMatchObject({ userId, email: "ada@example.com", displayName: "Ada", locale: "en" });

    const [row] = await db.execute<{ published_at: unknown; attempts: number }>(
      "select published_at, attempts from outbox_events where id = ?",
      [eventId],
    );
    expect(row!.published_at).not.toBeNull();
    expect(row!.attempts).toBe(1);
  });

  it("keeps one stream message when a row is published again after a crash before it was marked", async () => {
    const { eventId } = await register("twice@example.com");
    expect(await relay().flush()).toBe(1);
    // What a crash between the publish ack and COMMIT leaves behind: a published but unmarked row.
    await db.execute("update outbox_events set published_at = null where id = ?", [eventId]);
    expect(await relay().flush()).toBe(1);
    expect(await messagesWithId(eventId)).toHaveLength(1);
    expect(await unpublished()).toBe(0);
  });

  it("marks rows published in a transaction that does not wait for the WAL flush", async () => {
    await register("async-mark@example.com");
    const pool = await db.pool();
    const recorder = recordStatements(pool);
    let sent: Awaited<ReturnType<typeof recorder.during>>;
    try {
      sent = await recorder.during(async () => {
        expect(await relay().flush()).toBe(1);
      });
    } finally {
      recorder.restore();
    }
    const texts = sent.map((statement) => statement.text);
    const begin = texts.findIndex((text) => /^begin; set local synchronous_commit to off$/.test(text));
    const mark = texts.findIndex((text) => text.includes("set published_at = now()"));
    expect(begin, statementSummary(sent)).toBeGreaterThanOrEqual(0);
    expect(mark).toBeGreaterThan(begin);
    // only the relay's own transaction: the setting ends with it
    const { rows } = await pool.query<{ synchronous_commit: string }>("show synchronous_commit");
    expect(rows[0]?.synchronous_commit).toBe("on");
    expect(await unpublished()).toBe(0);
  });

  it("publishes every event exactly once with two relays on the same table", async () => {
    const count = 400;
    const ids = await db.transaction(async (em) =>
      Array.from({ length: count }, (_, i) =>
        recordEvent(em, {
          context: "identity",
          prefix,
          schema: UserRegisteredSchema,
          aggregateId: `user-${i}`,
          data: { userId: `user-${i}`, email: `u${i}@example.com` },
        }),
      ),
    );
    // A second replica: its own pool on the same database.
    const replicaDb = await createDb({
      url: database.url,
      schema: "identity",
      entities: [User, ...outboxEntities],
      migrations,
    });
    extraDbs.push(replicaDb);
    let publishedA = 0;
    let publishedB = 0;
    const a = relay({ batchSize: 25, onPublished: (n) => (publishedA += n) });
    const b = createOutboxRelay({
      db: replicaDb,
      nats,
      context: "identity",
      prefix,
      logger,
      batchSize: 25,
      onPublished: (n) => (publishedB += n),
    });
    relays.push(b);
    await Promise.all([a.start(), b.start()]);
    await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 10_000, message: "outbox drained" });
    expect(publishedA + publishedB).toBe(count);

    const published = new Set(ids);
    const seen = (await readStream(stream, nats)).filter((msg) => published.has(msg.header?.get("ce-id")));
    expect(seen).toHaveLength(count);
    expect(new Set(seen.map((msg) => msg.header.get("ce-id"))).size).toBe(count);
  });

  /** Starts a relay on a 10 s poll and lets it drain and fall asleep on its timer. */
  const sleepingRelay = async () => {
    const r = relay({ pollIntervalMs: 10_000 });
    await r.start();
    await waitFor(async () => (await unpublished()) === 0, { message: "initial backlog drained" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    return r;
  };
  const publishedWithin = async (eventId: string, ms: number) => {
    const started = Date.now();
    await waitFor(async () => (await messagesWithId(eventId)).length === 1, {
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(Date.now() - started).toBeLessThan(ms);
  };
  const rows = createOutboxRows({ context: "identity", prefix });
  const userRows = (email: string) => {
    const userId = randomUUID();
    return rows([domainEvent(UserRegisteredSchema, userId, { userId, email })], {});
  };

  it("publishes a row this process committed through the ORM at once, long before the next poll", async () => {
    await sleepingRelay();
    const { eventId } = await register("prompt@example.com");
    await publishedWithin(eventId, 2000);
  });

  it("publishes rows this process committed with plain SQL at once, alone or in a transaction", async () => {
    await sleepingRelay();
    const alone = userRows("alone@example.com");
    const p1 = parameters();
    await createSql(await db.pool()).query(outboxInsert(p1, alone), p1.values);
    await publishedWithin(alone[0]!.id, 2000);

    const inTransaction = userRows("tx@example.com");
    await sqlTransaction(await db.pool(), async (sql) => {
      const p2 = parameters();
      await sql.query(outboxInsert(p2, inTransaction), p2.values);
    });
    await publishedWithin(inTransaction[0]!.id, 2000);
  });

  it("finds rows another process committed on its poll", async () => {
    const r = relay({ pollIntervalMs: 300 });
    await r.start();
    const [row] = userRows("elsewhere@example.com");
    // a driver call of its own, as another process would make: nothing in this process hears of it
    await (await db.pool()).query(
      `insert into outbox_events (id, type, subject, aggregate_id, headers, data, created_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row!.id,
        row!.type,
        row!.subject,
        row!.aggregateId,
        JSON.stringify(row!.headers),
        row!.data,
        row!.createdAt,
      ],
    );
    await publishedWithin(row!.id, 3000);
  });

  it("counts published events by type and samples the backlog into the service's metrics", async () => {
    const metrics = createMetrics({ service: "outbox-test" });
    await register("before-start@example.com");
    const backlogBefore = await unpublished();
    metrics.outboxBacklog.set(-1); // only a sample can bring it back to a count
    const r = relay({ metrics, backlogSampleMs: 20 });
    await r.start();
    await waitFor(async () => (await unpublished()) === 0, { message: "backlog drained" });
    const published = await metrics.eventsPublished.get();
    const registered = published.values.find(
      (value) => value.labels.type === "shopmesh.identity.v1.UserRegistered",
    );
    expect(registered?.value).toBeGreaterThanOrEqual(backlogBefore);
    await waitFor(async () => (await metrics.outboxBacklog.get()).values[0]?.value === 0, {
      message: "backlog gauge sampled",
    });
  });

  it("retries a row that failed to publish, keeping the error, until it goes out", async () => {
    const jsm = await jetstreamManager(nats);
    await jsm.streams.delete(stream);
    const { eventId } = await register("retry@example.com");
    const r = relay({ retryBaseMs: 100, publishTimeoutMs: 500 });
    expect(await r.flush()).toBe(0);
    const [failed] = await db.execute<{ attempts: number; last_error: string | null; published_at: unknown }>(
      "select attempts, last_error, published_at from outbox_events where id = ?",
      [eventId],
    );
    expect(failed!.published_at).toBeNull();
    expect(failed!.attempts).toBe(1);
    expect(failed!.last_error).toMatch(/no stream takes subject .*\(no responders\)/);

    await r.start(); // ensures the stream again
    await waitFor(async () => (await messagesWithId(eventId)).length === 1, {
      timeoutMs: 5000,
      message: "retried",
    });
    await waitFor(async () => (await unpublished()) === 0);
  });

  it("does not publish rows recorded under another prefix, and says why", async () => {
    const eventId = await db.transaction(async (em) =>
      recordEvent(em, {
        context: "identity",
        prefix: "otherprefix",
        schema: UserRegisteredSchema,
        aggregateId: "x",
        data: { userId: "x" },
      }),
    );
    expect(await relay().flush()).toBe(0);
    const [row] = await db.execute<{ last_error: string }>(
      "select last_error from outbox_events where id = ?",
      [eventId],
    );
    expect(row!.last_error).toMatch(/outside stream/);
    await db.execute("delete from outbox_events where id = ?", [eventId]);
  });

  it("deletes published rows older than the retention", async () => {
    const { eventId: old } = await register("old@example.com");
    const { eventId: recent } = await register("recent@example.com");
    await relay().flush();
    await db.execute("update outbox_events set published_at = now() - interval '3 hours' where id = ?", [
      old,
    ]);
    const r = relay({ retainHours: 2 });
    await r.start();
    await waitFor(
      async () => (await db.execute("select 1 from outbox_events where id = ?", [old])).length === 0,
      {
        message: "old row purged",
      },
    );
    expect(await db.execute("select 1 from outbox_events where id = ?", [recent])).toHaveLength(1);
  });

  it("refuses to start on a schema without the outbox table, saying what to add", async () => {
    const bare = await createDb({ url: database.url, schema: "bare", entities: [], migrations: [] });
    extraDbs.push(bare);
    const r = createOutboxRelay({ db: bare, nats, context: "identity", prefix, logger });
    await expect(r.start()).rejects.toThrow(
      /^db: schema bare has no outbox_events table; add EVENTS_MIGRATIONS/,
    );
  });

  it("rejects bad relay options naming the field", () => {
    expect(() => createOutboxRelay({ db, nats, context: "identity", prefix: "Bad.Prefix", logger })).toThrow(
      /^prefix:/,
    );
    expect(() => createOutboxRelay({ db, nats, context: "dlq", prefix, logger })).toThrow(/^context:/);
    expect(() => createOutboxRelay({ db, nats, context: "identity", prefix, logger, batchSize: 0 })).toThrow(
      /^batchSize:/,
    );
  });

  it("rejects an event without an aggregate id and records nothing", async () => {
    await expect(
      db.transaction(async (em) => {
        recordEvent(em, {
          context: "identity",
          prefix,
          schema: UserRegisteredSchema,
          aggregateId: "",
          data: {},
        });
      }),
    ).rejects.toThrow(/^aggregateId:/);
    expect(await unpublished()).toBe(0);
  });
});
