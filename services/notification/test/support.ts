import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import type { RoleName } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import {
  createOutboxRelay,
  EVENTS_MIGRATIONS,
  type OutboxRelay,
  outboxEntities,
  recordEvent,
  streamName,
} from "@shopmesh/kit/events";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  connectTestNats,
  createTestDatabase,
  createTestSigningKeys,
  deleteStreams,
  readStream,
  testPrefix,
  waitFor,
} from "@shopmesh/kit/testing";
import type { JWK } from "jose";
import { createNotification, type Notification, type NotificationOptions } from "../src/app.ts";
import { loadNotificationConfig } from "../src/config.ts";
import type { RecipientFacts } from "../src/store/index.ts";
import { type SmtpCapture, startSmtpCapture } from "./smtp-capture.ts";

/**
 * A notification service running in process on a random port, on its own database and event
 * prefix, sending email to a real local SMTP server (the capture) that keeps what it receives.
 * Other contexts' events are published the way their services publish them: recorded in an
 * outbox (`recordEvent`) and published by the kit's relay, with the CloudEvents headers.
 */
export interface TestNotification {
  notification: Notification;
  address: string;
  prefix: string;
  databaseUrl: string;
  smtp: SmtpCapture;
  client: RpcClient<typeof NotificationService>;
  /** Call options of a user with these roles (a signed access token). */
  as(userId: string, roles?: RoleName[]): Promise<CallOptions>;
  /** A signed access token, as identity issues them. */
  token(userId: string, roles?: RoleName[]): Promise<string>;
  /** The public keys that verify those tokens. */
  jwks: JWK[];
  /** Publishes an event of another context like its service does; resolves with the event id. */
  publish<S extends DescMessage>(
    context: string,
    schema: S,
    data: MessageInitShape<S>,
    aggregateId: string,
  ): Promise<string>;
  /** Publishes an event already on its stream once more, same ce-id (a redelivered duplicate). */
  republish(context: string, eventId: string): Promise<void>;
  /** Puts a user into the recipients projection directly (as identity's events would). */
  recipient(facts: RecipientFacts): Promise<void>;
  nats: NatsConnection;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  options?: NotificationOptions;
  /** Use this capture instead of starting one (it is not closed by stop()). */
  smtp?: SmtpCapture;
  /** Use this database and prefix (another platform's, or a second replica); not dropped by stop(). */
  shared?: { databaseUrl: string; prefix: string };
}

/** Tight retry timings, so retries and dead letters happen within a test. */
export const FAST_RETRIES = {
  DELIVERY_MAX_ATTEMPTS: "3",
  DELIVERY_RETRY_BASE_MS: "50",
  DELIVERY_RETRY_MAX_MS: "200",
  DISPATCH_POLL_MS: "50",
  DELIVERY_LEASE_MS: "5000",
};

export async function startNotification(options: StartOptions = {}): Promise<TestNotification> {
  const owned = options.shared ? undefined : await createTestDatabase();
  const databaseUrl = options.shared?.databaseUrl ?? owned!.url;
  const prefix = options.shared?.prefix ?? testPrefix();
  const smtp = options.smtp ?? (await startSmtpCapture());
  const keys = await createTestSigningKeys("notification-test-key");
  const config = loadNotificationConfig({
    DATABASE_URL: databaseUrl,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SMTP_URL: smtp.url,
    SMTP_TIMEOUT_MS: "3000",
    STOREFRONT_URL: "https://shop.test",
    SHOP_NAME: "Test Shop",
    MAIL_FROM: "Test Shop <shop@shop.test>",
    ...FAST_RETRIES,
    ...options.env,
  });
  let notification: Notification;
  try {
    notification = await createNotification(config, {
      logger: createLogger({ service: "notification", level: "silent" }),
      jwks: async () => keys.jwks,
      consumerBackoffMs: [100],
      ...options.options,
    });
  } catch (error) {
    await owned?.drop();
    if (!options.smtp) await smtp.close();
    throw error;
  }
  const port = await notification.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(NotificationService, { address, timeoutMs: 20_000 });
  const nats = await connectTestNats();
  const publishers = new Map<string, Promise<{ db: Db; relay: OutboxRelay }>>();

  /** A stand-in for another context's service: its own schema with an outbox, and the kit's relay. */
  const publisher = (context: string) => {
    let entry = publishers.get(context);
    if (!entry) {
      entry = (async () => {
        const db = await createDb({
          url: databaseUrl,
          schema: `test_${context}`,
          entities: [...outboxEntities],
          migrations: EVENTS_MIGRATIONS,
        });
        return { db, relay: createOutboxRelay({ db, nats, context, prefix, logger: notification.logger }) };
      })();
      publishers.set(context, entry);
    }
    return entry;
  };

  return {
    notification,
    address,
    prefix,
    databaseUrl,
    smtp,
    client,
    jwks: keys.jwks,
    nats,
    token: (userId, roles = ["customer"]) => keys.sign(userId, roles),
    async as(userId, roles = ["customer"]) {
      return { call: { authorization: `Bearer ${await keys.sign(userId, roles)}` } };
    },
    async publish(context, schema, data, aggregateId) {
      const { db, relay } = await publisher(context);
      const id = await db.transaction(async (em) =>
        recordEvent(em, {
          context,
          schema,
          data,
          aggregateId,
          prefix,
          meta: { actor: `service:${context}` },
        }),
      );
      await relay.flush();
      return id;
    },
    async republish(context, eventId) {
      const stored = await waitFor(
        async () =>
          (await readStream(streamName(prefix, context), nats)).find(
            (msg) => msg.header?.get("ce-id") === eventId,
          ),
        { message: `event ${eventId} on ${context}'s stream` },
      );
      const h = natsHeaders();
      for (const key of stored.header?.keys() ?? []) h.set(key, stored.header!.get(key));
      // Another message id than the first copy's: JetStream would drop the copy otherwise.
      await jetstream(nats).publish(stored.subject, stored.data, { headers: h, msgID: `${eventId}:again` });
    },
    async recipient(facts) {
      await notification.store.transaction((tx) => tx.recipients.save(facts, new Date()));
    },
    async stop() {
      client.close();
      await notification.close(1_000);
      for (const entry of publishers.values()) {
        const { db } = await entry;
        await db.close();
      }
      await nats.close();
      if (!options.smtp) await smtp.close();
      if (owned) {
        await deleteStreams(prefix).catch(() => undefined);
        await owned.drop();
      }
    },
  };
}

export { newId as id } from "@shopmesh/kit/ids";
