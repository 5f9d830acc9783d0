import { randomUUID } from "node:crypto";
import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type JetStreamClient, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { DeadLetterSchema } from "@shopmesh/contracts/shopmesh/common/v1/events_pb";
import {
  EmailVerifiedSchema,
  type UserRegistered,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../src/db/index.ts";
import { buildEventHeaders } from "../src/events/envelope.ts";
import {
  type ConsumedEvent,
  type ConsumeOutcome,
  causedBy,
  createConsumer,
  createOutboxRelay,
  deadLetterStreamName,
  EVENTS_MIGRATIONS,
  type EventConsumer,
  ensureStream,
  eventSubject,
  on,
  outboxEntities,
  recordEvent,
  streamName,
} from "../src/events/index.ts";
import { createLogger } from "../src/log/index.ts";
import {
  connectTestNats,
  createTestDatabase,
  deleteStreams,
  readStream,
  type TestDatabase,
  testPrefix,
  waitFor,
} from "../src/testing/index.ts";

const logger = createLogger({ service: "kit-test", level: "silent" });

describe("event consumer", () => {
  let database: TestDatabase;
  let db: Db;
  let nats: NatsConnection;
  let js: JetStreamClient;
  let prefix: string;
  const prefixes: string[] = [];
  const consumers: EventConsumer[] = [];

  /** Publishes like a relay would, with a Nats-Msg-Id of our choosing (to bypass de-duplication). */
  const publish = async <S extends DescMessage>(
    schema: S,
    data: MessageInitShape<S>,
    options: { eventId?: string; msgId?: string; body?: Uint8Array; omit?: string[] } = {},
  ) => {
    const eventId = options.eventId ?? randomUUID();
    const h = natsHeaders();
    const envelope = buildEventHeaders({
      id: eventId,
      context: "identity",
      type: schema.typeName,
      aggregateId: "user-1",
      time: new Date(),
      meta: { correlationId: "corr-9", actor: "service:test" },
    });
    for (const [key, value] of Object.entries(envelope)) {
      if (!options.omit?.includes(key)) h.set(key, value);
    }
    const body = options.body ?? toBinary(schema, create(schema, data));
    await js.publish(eventSubject(prefix, "identity", schema), body, {
      headers: h,
      msgID: options.msgId ?? eventId,
    });
    return eventId;
  };

  const common = () => ({ nats, prefix, context: "identity", logger });
  const track = (created: EventConsumer) => {
    consumers.push(created);
    return created;
  };

  const effects = async (eventId: string) =>
    Number(
      (await db.execute<{ n: string }>("select count(*) as n from effects where event_id = ?", [eventId]))[0]!
        .n,
    );

  const deadLetters = async () =>
    (await readStream(deadLetterStreamName(prefix), nats)).map((msg) => ({
      subject: msg.subject,
      letter: fromBinary(DeadLetterSchema, msg.data),
      headers: msg.header,
    }));

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDb({
      url: database.url,
      schema: "notification",
      entities: [...outboxEntities],
      migrations: [
        ...EVENTS_MIGRATIONS,
        // No unique key: a second effect of one event would show as a second row.
        { name: "0001_effects", up: "create table effects (event_id text not null, email text not null)" },
      ],
    });
    nats = await connectTestNats();
    js = jetstream(nats);
  });
  beforeEach(async () => {
    // Each test gets its own streams, so no test sees another's events.
    prefix = testPrefix();
    prefixes.push(prefix);
    await ensureStream(await jetstreamManager(nats), prefix, "identity");
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    if (nats) {
      for (const used of prefixes) await deleteStreams(used, nats);
      await nats.close();
    }
  });

  it("has no second effect when the same event is delivered twice, even concurrently", async () => {
    const outcomes: ConsumeOutcome[] = [];
    let calls = 0;
    await track(
      createConsumer({
        ...common(),
        db,
        durable: "welcome",
        concurrency: 2,
        onEvent: (outcome) => outcomes.push(outcome),
        handlers: [
          on(UserRegisteredSchema, async (event, em) => {
            calls++;
            await em.execute("insert into effects (event_id, email) values (?, ?)", [
              event.id,
              event.data.email,
            ]);
            await new Promise((resolve) => setTimeout(resolve, 150));
          }),
        ],
      }),
    ).start();

    const eventId = await publish(
      UserRegisteredSchema,
      { userId: "user-1", email: "a@example.com" },
      { msgId: "copy-1" },
    );
    await publish(
      UserRegisteredSchema,
      { userId: "user-1", email: "a@example.com" },
      { eventId, msgId: "copy-2" },
    );

    await waitFor(() => outcomes.length === 2, { message: "both deliveries handled" });
    expect(await effects(eventId)).toBe(1);
    expect(outcomes.map((o) => o.result).sort()).toEqual(["duplicate", "processed"]);
    expect(calls).toBeLessThanOrEqual(2);
    const info = await (await jetstreamManager(nats)).consumers.info(
      streamName(prefix, "identity"),
      "welcome",
    );
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it("runs an idempotent handler without the inbox or a transaction, so a redelivery runs it again", async () => {
    const outcomes: ConsumeOutcome[] = [];
    let inTransaction: boolean | undefined;
    await track(
      createConsumer({
        ...common(),
        db,
        durable: "marks",
        onEvent: (outcome) => outcomes.push(outcome),
        handlers: [
          on(
            UserRegisteredSchema,
            async (event, em) => {
              inTransaction = em.isInTransaction();
              await em.execute("insert into effects (event_id, email) values (?, ?)", [
                event.id,
                event.data.email,
              ]);
            },
            { idempotent: true },
          ),
        ],
      }),
    ).start();

    const eventId = await publish(
      UserRegisteredSchema,
      { userId: "user-1", email: "m@example.com" },
      { msgId: "mark-1" },
    );
    await publish(
      UserRegisteredSchema,
      { userId: "user-1", email: "m@example.com" },
      { eventId, msgId: "mark-2" },
    );

    await waitFor(() => outcomes.length === 2, { message: "both deliveries handled" });
    expect(outcomes.map((o) => o.result)).toEqual(["processed", "processed"]);
    expect(await effects(eventId)).toBe(2);
    expect(inTransaction).toBe(false);
    const inbox = await db.execute("select 1 from inbox_events where event_id = ?", [eventId]);
    expect(inbox).toEqual([]);
  });

  it("retries a failing handler and has its effect once when it recovers", async () => {
    let calls = 0;
    await track(
      createConsumer({
        ...common(),
        db,
        durable: "flaky",
        backoffMs: [50],
        handlers: [
          on(UserRegisteredSchema, async (event, em) => {
            calls++;
            await em.execute("insert into effects (event_id, email) values (?, ?)", [
              event.id,
              event.data.email,
            ]);
            if (calls === 1) throw new Error("first try fails");
          }),
        ],
      }),
    ).start();
    const eventId = await publish(UserRegisteredSchema, { userId: "user-1", email: "b@example.com" });
    await waitFor(async () => (await effects(eventId)) === 1, { message: "effect after retry" });
    expect(calls).toBe(2);
    expect(await deadLetters()).toHaveLength(0);
  });

  it("dead-letters an event whose handler keeps failing, with the reason, after maxDeliver tries", async () => {
    let calls = 0;
    await track(
      createConsumer({
        ...common(),
        db,
        durable: "broken",
        maxDeliver: 3,
        backoffMs: [50, 100],
        handlers: [
          on(UserRegisteredSchema, async (event, em) => {
            calls++;
            await em.execute("insert into effects (event_id, email) values (?, ?)", [
              event.id,
              event.data.email,
            ]);
            throw new Error("smtp refused the message");
          }),
        ],
      }),
    ).start();
    const body = toBinary(
      UserRegisteredSchema,
      create(UserRegisteredSchema, { userId: "user-1", email: "c@example.com" }),
    );
    const eventId = await publish(UserRegisteredSchema, {}, { body });

    const [dead] = await waitFor(
      async () => {
        const letters = await deadLetters();
        return letters.length > 0 && letters;
      },
      { message: "dead letter" },
    );
    expect(dead!.subject).toBe(`${prefix}.dlq.broken`);
    expect(dead!.letter).toMatchObject({
      eventId,
      eventType: "shopmesh.identity.v1.UserRegistered",
      subject: `${prefix}.identity.user_registered`,
      stream: streamName(prefix, "identity"),
      consumer: "broken",
      deliveries: 3,
    });
    expect(dead!.letter.reason).toContain("smtp refused the message");
    expect(dead!.letter.data).toEqual(body);
    expect(dead!.letter.headers["ce-id"]).toBe(eventId);
    expect(dead!.letter.failedTime).toBeDefined();
    expect(dead!.headers.get("ce-type")).toBe("shopmesh.common.v1.DeadLetter");
    expect(calls).toBe(3);
    // Each failed attempt rolled back with its inbox row; the event is finished with, not redelivered.
    expect(await effects(eventId)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(3);
  });

  it("dead-letters an undecodable body at once without calling the handler", async () => {
    let calls = 0;
    await track(
      createConsumer({
        ...common(),
        db,
        durable: "decoder",
        handlers: [on(UserRegisteredSchema, async () => void calls++)],
      }),
    ).start();
    // Field 1 (user_id) claims 5 bytes but only 1 follows.
    const eventId = await publish(UserRegisteredSchema, {}, { body: new Uint8Array([0x0a, 0x05, 0x61]) });
    const [dead] = await waitFor(
      async () => {
        const letters = await deadLetters();
        return letters.length > 0 && letters;
      },
      { message: "dead letter" },
    );
    expect(dead!.letter.eventId).toBe(eventId);
    expect(dead!.letter.reason).toMatch(/^cannot decode body as shopmesh\.identity\.v1\.UserRegistered/);
    expect(dead!.letter.deliveries).toBe(1);
    expect(calls).toBe(0);
  });

  it("dead-letters a message without ce-type", async () => {
    await track(
      createConsumer({
        ...common(),
        durable: "strict",
        handlers: [on(UserRegisteredSchema, async () => undefined)],
      }),
    ).start();
    const eventId = await publish(UserRegisteredSchema, { userId: "u" }, { omit: ["ce-type"] });
    const [dead] = await waitFor(
      async () => {
        const letters = await deadLetters();
        return letters.length > 0 && letters;
      },
      { message: "dead letter" },
    );
    expect(dead!.letter.reason).toBe("missing header ce-type");
    expect(dead!.letter.eventId).toBe(eventId);
  });

  it("acks and skips event types it has no handler for", async () => {
    const outcomes: ConsumeOutcome[] = [];
    const seen: string[] = [];
    await track(
      createConsumer({
        ...common(),
        durable: "picky",
        onEvent: (outcome) => outcomes.push(outcome),
        handlers: [on(EmailVerifiedSchema, async (event) => void seen.push(event.data.email))],
      }),
    ).start();
    await publish(UserRegisteredSchema, { userId: "u", email: "skip@example.com" });
    await publish(EmailVerifiedSchema, { userId: "u", email: "seen@example.com" });
    await waitFor(() => outcomes.length === 2);
    expect(outcomes.map((o) => o.result)).toEqual(["skipped", "processed"]);
    expect(seen).toEqual(["seen@example.com"]);
    expect(await deadLetters()).toHaveLength(0);
  });

  it("delivers an event recorded in another service's outbox, envelope and all", async () => {
    // The producer: its own schema in the same database, its own relay.
    const producer = await createDb({
      url: database.url,
      schema: "identity",
      entities: [...outboxEntities],
      migrations: [...EVENTS_MIGRATIONS],
    });
    const relay = createOutboxRelay({ db: producer, nats, context: "identity", prefix, logger });
    try {
      const received: ConsumedEvent<UserRegistered>[] = [];
      await track(
        createConsumer({
          ...common(),
          durable: "e2e",
          handlers: {
            [UserRegisteredSchema.typeName]: async (event) =>
              void received.push(event as ConsumedEvent<UserRegistered>),
          },
          registry: [UserRegisteredSchema],
        }),
      ).start();
      await relay.start();
      const eventId = await producer.transaction(async (em) =>
        recordEvent(em, {
          context: "identity",
          prefix,
          schema: UserRegisteredSchema,
          aggregateId: "user-42",
          data: { userId: "user-42", email: "e2e@example.com" },
          meta: { correlationId: "corr-42", actor: "user:user-42" },
        }),
      );
      const [event] = await waitFor(() => received.length > 0 && received, { message: "event consumed" });
      expect(event).toMatchObject({
        id: eventId,
        type: "shopmesh.identity.v1.UserRegistered",
        subject: "user-42",
        natsSubject: `${prefix}.identity.user_registered`,
        deliveries: 1,
        meta: { correlationId: "corr-42", actor: "user:user-42" },
      });
      expect(event!.data.email).toBe("e2e@example.com");
      expect(causedBy(event!)).toEqual({
        correlationId: "corr-42",
        causationId: eventId,
        actor: "user:user-42",
      });
    } finally {
      await relay.stop();
      await producer.close();
    }
  });

  it("deletes inbox rows past their retention when it starts", async () => {
    await db.execute(
      "insert into inbox_events (consumer, event_id, processed_at) values ('keeper', 'old', now() - interval '9 days'), ('keeper', 'new', now()), ('other', 'old', now() - interval '9 days')",
    );
    await track(createConsumer({ ...common(), db, durable: "keeper", handlers: [] })).start();
    await waitFor(
      async () =>
        (await db.execute("select 1 from inbox_events where consumer = 'keeper' and event_id = 'old'"))
          .length === 0,
      {
        message: "old inbox row purged",
      },
    );
    expect(
      await db.execute(
        "select consumer, event_id from inbox_events where event_id in ('old', 'new') order by consumer",
      ),
    ).toEqual([
      { consumer: "keeper", event_id: "new" },
      { consumer: "other", event_id: "old" },
    ]);
  });

  it("refuses to start on a schema without the inbox table, saying what to add", async () => {
    const bare = await createDb({ url: database.url, schema: "bare", entities: [], migrations: [] });
    try {
      const c = createConsumer({ ...common(), db: bare, durable: "bare", handlers: [] });
      await expect(c.start()).rejects.toThrow(
        /^db: schema bare has no inbox_events table; add EVENTS_MIGRATIONS/,
      );
    } finally {
      await bare.close();
    }
  });

  it("rejects bad consumer options naming the field", () => {
    const base = { nats, prefix, context: "identity", logger, handlers: {} };
    expect(() => createConsumer({ ...base, durable: "a.b" })).toThrow(/^durable:/);
    expect(() => createConsumer({ ...base, durable: "ok", maxDeliver: 0 })).toThrow(/^maxDeliver:/);
    expect(() => createConsumer({ ...base, durable: "ok", filterSubject: "other.>" })).toThrow(
      /^filterSubject:/,
    );
    expect(() =>
      createConsumer({
        ...base,
        durable: "ok",
        handlers: { "shopmesh.identity.v1.UserRegistered": async () => undefined },
      }),
    ).toThrow(/^registry: no message schema/);
  });
});
