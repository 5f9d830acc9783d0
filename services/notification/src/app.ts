import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import type { createTokenVerifier } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import {
  connectNats,
  createOutboxRelay,
  type EventConsumer,
  type OutboxRelay,
  outboxEntities,
} from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import {
  type BackgroundWorker,
  createLifecycle,
  createServiceAuth,
  createServiceRuntime,
} from "@shopmesh/kit/service";
import { type ChannelProviders, createChannelProviders, type DevSink } from "./channels/index.ts";
import type { NotificationConfig } from "./config.ts";
import { createConsumers } from "./consumers/index.ts";
import { createDispatcher, type Dispatcher } from "./dispatcher.ts";
import { createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createIdentityDirectory } from "./identity-directory.ts";
import { createIntake } from "./intake.ts";
import { createRecipientResolver, type RecipientResolver } from "./recipients.ts";
import { createNotificationHandlers, NOTIFICATION_ACCESS_RULES } from "./rpc/index.ts";
import {
  createNotificationStore,
  MIGRATIONS,
  NOTIFICATION_ENTITIES,
  type NotificationStore,
} from "./store/index.ts";
import { createTemplateLibrary } from "./templates/library.ts";

/** A built notification service: everything wired, not yet listening. */
export interface Notification {
  server: RpcServer;
  relay: OutboxRelay;
  consumers: EventConsumer[];
  dispatcher: Dispatcher;
  store: NotificationStore;
  /** The development sinks of SMS and push (what was "sent" there). */
  sinks: { sms: DevSink; push: DevSink };
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /**
   * Starts the outbox relay, the event consumers and the dispatcher, copies identity's admins in
   * the background (when it can ask identity) and serves gRPC; resolves with the bound port.
   */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops consumers, dispatcher and relay, closes everything. */
  close(graceMs?: number): Promise<void>;
}

export interface NotificationOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: KeySource;
  /** Replaces the channel providers (tests); defaults to SMTP email and development sinks. */
  providers?: Partial<ChannelProviders>;
  /** Consumer redelivery tuning (tests); defaults to the kit's. */
  consumerBackoffMs?: readonly number[];
  /** Test seam for the retry jitter. */
  random?: () => number;
}

/** Where the verifier gets identity's public keys (a JWKS fetch). */
type KeySource = Parameters<typeof createTokenVerifier>[0]["keys"];

const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the notification service from its configuration: loads and checks the templates,
 * migrates the database, connects to NATS, and registers the handlers with their access rules
 * on a gRPC server (which also serves grpc.health.v1).
 *
 *   const notification = await createNotification(loadNotificationConfig());
 *   const port = await notification.listen(0, "127.0.0.1");
 *   ...
 *   await notification.close();
 */
export async function createNotification(
  config: NotificationConfig,
  options: NotificationOptions = {},
): Promise<Notification> {
  const logger = options.logger ?? createLogger({ service: "notification", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    // Templates first: a broken one stops the service before it touches anything.
    const library = createTemplateLibrary({
      defaultLocale: config.DEFAULT_LOCALE,
      shop: { name: config.SHOP_NAME, url: config.STOREFRONT_URL.replace(/\/+$/, "") },
    });
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...NOTIFICATION_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "notification" });
    lifecycle.defer(() => nats.close());

    const metrics = createMetrics({ service: "notification" });
    const attempts = new Counter({
      name: "notification_delivery_attempts_total",
      help: "Delivery attempts by channel and outcome (sent, retry, failed, dead_letter)",
      labelNames: ["channel", "outcome"],
      registers: [metrics.registry],
    });
    const queued = new Counter({
      name: "notification_intake_total",
      help: "What events made: queued deliveries and in-app notifications",
      labelNames: ["kind"],
      registers: [metrics.registry],
    });

    const store = createNotificationStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
    });
    const tls = rpcTlsFromFiles(config);
    const identity = config.SERVICE_TOKEN_SECRET
      ? createIdentityDirectory({
          address: config.IDENTITY_ADDRESS,
          serviceTokenSecret: config.SERVICE_TOKEN_SECRET,
          tls: tls.client,
          logger,
          metrics,
        })
      : undefined;
    if (identity) lifecycle.defer(async () => identity.close());

    const intake = createIntake({
      library,
      defaultLocale: config.DEFAULT_LOCALE,
      adminEmails: config.NOTIFY_ADMIN_EMAILS,
    });
    const countingIntake: typeof intake = {
      async accept(...args) {
        const result = await intake.accept(...args);
        queued.inc({ kind: "delivery" }, result.deliveries);
        queued.inc({ kind: "in_app" }, result.inApp);
        return result;
      },
    };
    const consumers = createConsumers({
      nats,
      db,
      prefix: config.EVENTS_PREFIX,
      store,
      intake: countingIntake,
      ...(identity ? { identity } : {}),
      logger,
      ...(options.consumerBackoffMs ? { backoffMs: options.consumerBackoffMs } : {}),
      onEvent(durable, outcome) {
        metrics.eventsConsumed.inc({ type: outcome.type, consumer: durable, outcome: outcome.result });
        if (outcome.lagMs !== undefined)
          metrics.eventLag.observe({ consumer: durable }, outcome.lagMs / 1000);
      },
    });

    const channels = createChannelProviders(
      {
        url: config.SMTP_URL,
        from: config.MAIL_FROM,
        timeoutMs: config.SMTP_TIMEOUT_MS,
        maxConnections: config.DISPATCH_CONCURRENCY,
      },
      logger,
    );
    const providers: ChannelProviders = { ...channels.providers, ...options.providers };
    lifecycle.defer(async () => {
      for (const provider of Object.values(providers)) await provider.close?.();
    });
    const recipients = createRecipientResolver({
      store,
      defaultLocale: config.DEFAULT_LOCALE,
      ...(identity ? { identity } : {}),
      logger,
    });
    const dispatcher = createDispatcher({
      store,
      library,
      providers,
      recipients,
      policy: {
        maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
        baseMs: config.DELIVERY_RETRY_BASE_MS,
        maxMs: config.DELIVERY_RETRY_MAX_MS,
      },
      leaseMs: config.DELIVERY_LEASE_MS,
      pollMs: config.DISPATCH_POLL_MS,
      concurrency: config.DISPATCH_CONCURRENCY,
      messageIdDomain: config.MAIL_MESSAGE_ID_DOMAIN,
      logger,
      onAttempt: (channel, outcome) => attempts.inc({ channel, outcome }),
      ...(options.random ? { random: options.random } : {}),
    });

    const { verifier } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks, tls });
    const server = createRpcServer({ service: "notification", logger, verifier, metrics, tls: tls.server });
    server.add(NotificationService, createNotificationHandlers({ store }), NOTIFICATION_ACCESS_RULES);

    const relay = createOutboxRelay({
      db,
      nats,
      context: EVENTS_CONTEXT,
      prefix: config.EVENTS_PREFIX,
      logger,
      metrics,
      backlogSampleMs: BACKLOG_SAMPLE_MS,
    });

    return {
      server,
      relay,
      consumers,
      dispatcher,
      store,
      sinks: channels.sinks,
      db,
      metrics,
      logger,
      ...createServiceRuntime({
        server,
        lifecycle,
        workers: [relay, dispatcher, ...consumers, adminSync(recipients)],
      }),
    };
  });
}

/** Copies identity's admins in the background while the service runs; stopping waits for the copy to end. */
function adminSync(recipients: RecipientResolver): BackgroundWorker {
  const sync = new AbortController();
  let syncing: Promise<unknown> | undefined;
  return {
    start() {
      syncing = recipients.syncAdmins(sync.signal);
    },
    async stop() {
      sync.abort();
      await syncing;
    },
  };
}
