import { randomUUID } from "node:crypto";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import {
  connectNats,
  createOutboxRelay,
  EVENTS_MIGRATIONS,
  type EventMeta,
  type NatsConnection,
  type OutboxRelay,
  outboxEntities,
  recordEvent,
} from "@shopmesh/kit/events";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  bearer,
  createTestDatabase,
  createTestSigningKeys,
  deleteStreams,
  type TestDatabase,
  testPrefix,
  waitFor,
} from "@shopmesh/kit/testing";
import { type Audit, createAudit } from "../src/app.ts";
import { loadAuditConfig } from "../src/config.ts";

export const SERVICE_SECRET = "audit-test-service-secret";
const silent = createLogger({ service: "audit-test", level: "silent" });

/**
 * Publishes events as the other services do: recordEvent into an outbox (one schema per
 * context, like one service each) and the kit's relay to JetStream on the test prefix.
 */
export interface TestPublisher {
  /** Records one event of `context` and waits until it is published; returns its event id. */
  publish<S extends DescMessage>(
    context: string,
    schema: S,
    data: MessageInitShape<S>,
    options?: { aggregateId?: string; meta?: EventMeta },
  ): Promise<string>;
  /**
   * Publishes a copy of an already published event (same ce-id and body) under a new
   * Nats-Msg-Id, so JetStream does not drop it: a redelivery as a consumer would see it.
   */
  republish(context: string, eventId: string): Promise<void>;
  close(): Promise<void>;
}

export function createTestPublisher(options: { url: string; prefix: string; nats: NatsConnection }) {
  const contexts = new Map<string, Promise<{ db: Db; relay: OutboxRelay }>>();
  const open = (context: string) => {
    let entry = contexts.get(context);
    if (!entry) {
      entry = (async () => {
        const db = await createDb({
          url: options.url,
          schema: `pub_${context}`,
          entities: [...outboxEntities],
          migrations: EVENTS_MIGRATIONS,
        });
        const relay = createOutboxRelay({
          db,
          nats: options.nats,
          context,
          prefix: options.prefix,
          logger: silent,
          pollIntervalMs: 50,
        });
        await relay.start();
        return { db, relay };
      })();
      contexts.set(context, entry);
    }
    return entry;
  };
  const published = async (db: Db, id: string) =>
    waitFor(
      async () =>
        (await db.execute("select 1 from outbox_events where id = ? and published_at is not null", [id]))
          .length > 0,
      { timeoutMs: 10_000, message: `event ${id} published` },
    );

  const publisher: TestPublisher = {
    async publish(context, schema, data, publishOptions = {}) {
      const { db } = await open(context);
      const id = await db.transaction(async (em) =>
        recordEvent(em, {
          context,
          schema,
          data,
          aggregateId: publishOptions.aggregateId ?? randomUUID(),
          prefix: options.prefix,
          meta: publishOptions.meta ?? { actor: `service:${context}`, correlationId: randomUUID() },
        }),
      );
      await published(db, id);
      return id;
    },
    async republish(context, eventId) {
      const { db } = await open(context);
      const copy = randomUUID();
      await db.execute(
        `insert into outbox_events (id, type, subject, aggregate_id, headers, data, created_at)
         select ?::uuid, type, subject, aggregate_id, headers, data, now() from outbox_events where id = ?::uuid`,
        [copy, eventId],
      );
      await published(db, copy);
    },
    async close() {
      for (const entry of contexts.values()) {
        const { db, relay } = await entry;
        await relay.stop();
        await db.close();
      }
      contexts.clear();
    },
  };
  return publisher;
}

/** An audit service running in-process on a random port, on its own database and stream prefix. */
export interface TestAudit {
  audit: Audit;
  address: string;
  prefix: string;
  databaseUrl: string;
  publisher: TestPublisher;
  nats: NatsConnection;
  /** Calls without a token. */
  client: RpcClient<typeof AuditService>;
  /** Call options of signed-in users: an admin, support (audit.read, dashboard.read), a customer. */
  admin: CallOptions;
  support: CallOptions;
  customer: CallOptions;
  /** Call options of another service. */
  service: CallOptions;
  /** Waits until the log holds at least `count` entries. */
  waitForEntries(count: number): Promise<void>;
  /** Plain SQL on the audit database as the test's superuser (postgres). */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How often a missing stream is looked for; default 100 ms. */
  pollMs?: number;
}

export async function startAudit(options: StartOptions = {}): Promise<TestAudit> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const keys = await createTestSigningKeys("audit-test-key");
  const config = loadAuditConfig({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    AUDIT_STREAM_POLL_MS: String(options.pollMs ?? 100),
  });
  let audit: Audit;
  try {
    audit = await createAudit(config, {
      logger: createLogger({ service: "audit", level: "silent" }),
      jwks: async () => keys.jwks,
      backoffMs: [100, 200],
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const port = await audit.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(AuditService, { address, timeoutMs: 20_000 });
  const nats = await connectNats({
    url: process.env.TEST_NATS_URL || "nats://127.0.0.1:4222",
    name: "audit-test",
  });
  const publisher = createTestPublisher({ url: database.url, prefix, nats });

  return {
    audit,
    address,
    prefix,
    databaseUrl: database.url,
    publisher,
    nats,
    client,
    admin: bearer(await keys.sign("0190a000-0000-7000-8000-00000000a001", ["admin"])),
    support: bearer(await keys.sign("0190a000-0000-7000-8000-00000000a002", ["support"])),
    customer: bearer(await keys.sign("0190a000-0000-7000-8000-00000000a003", ["customer"])),
    service: bearer(await createServiceToken({ service: "order", secret: SERVICE_SECRET })()),
    async waitForEntries(count) {
      await waitFor(
        async () => {
          const [row] = await audit.db.execute<{ n: string }>(
            "select count(*)::text as n from audit_entries",
          );
          return Number(row?.n) >= count;
        },
        { timeoutMs: 15_000, message: `${count} audit entries` },
      );
    },
    sql: (text, params = []) => audit.db.execute(text, params),
    async stop() {
      client.close();
      await publisher.close();
      await audit.close(1_000);
      await deleteStreams(prefix, nats).catch(() => undefined);
      await nats.close();
      await database.drop();
    },
  };
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";
export { Code };
