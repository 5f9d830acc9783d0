import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, createOutboxRelay, type OutboxRelay, outboxEntities } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { JWK } from "jose";
import type { PaymentConfig } from "./config.ts";
import { createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createIdempotencyPruner, type IdempotencyPruner } from "./idempotency-pruner.ts";
import { createProviders, type ProviderRegistry } from "./providers/index.ts";
import { createPaymentHandlers, PAYMENT_ACCESS_RULES } from "./rpc/index.ts";
import { createPaymentStore, MIGRATIONS, PAYMENT_ENTITIES, type PaymentStore } from "./store/index.ts";
import { type ConfirmationSweeper, createConfirmationSweeper } from "./sweeper.ts";

/** A built payment service: everything wired, not yet listening. */
export interface Payment {
  server: RpcServer;
  relay: OutboxRelay;
  sweeper: ConfirmationSweeper;
  /** Deletes idempotency keys older than IDEMPOTENCY_RETENTION_HOURS. */
  pruner: IdempotencyPruner;
  store: PaymentStore;
  providers: ProviderRegistry;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /**
   * Starts the outbox relay, the sweeper and the pruner and serves gRPC; resolves with the bound
   * port (0 picks one).
   */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Health NOT_SERVING, drains in-flight calls, stops the pruner, the sweeper, the providers'
   * background work and the relay, closes NATS and the database.
   */
  close(graceMs?: number): Promise<void>;
}

export interface PaymentOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: () => Promise<JWK[]>;
  /** The providers; defaults to those of the configuration (the sandbox). Tests may pass their own. */
  providers?: ProviderRegistry;
}

const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the payment service from its configuration: migrates the database, connects to NATS,
 * sets up the providers, and registers the handlers with their access rules on a gRPC server
 * (which also serves grpc.health.v1). Access tokens are verified with identity's keys, fetched
 * at the first staff call, so payment starts (and serves service calls and webhooks) without
 * identity.
 *
 *   const payment = await createPayment(loadPaymentConfig());
 *   const port = await payment.listen(0, "127.0.0.1");
 *   ...
 *   await payment.close();
 */
export async function createPayment(config: PaymentConfig, options: PaymentOptions = {}): Promise<Payment> {
  const logger = options.logger ?? createLogger({ service: "payment", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...PAYMENT_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "payment" });
    lifecycle.defer(() => nats.close());
    const providers = options.providers ?? createProviders(config, logger);
    lifecycle.defer(() => providers.close());

    const store = createPaymentStore({
      pool: await db.pool(),
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
    });
    const metrics = createMetrics({ service: "payment" });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers: [metrics.registry] });
    const authorizations = counter(
      "payment_authorizations_total",
      "AuthorizePayment decisions of providers, by outcome (authorized, requires_confirmation, declined)",
      ["outcome"],
    );
    const replays = counter(
      "payment_idempotent_replays_total",
      "Calls answered again from their idempotency key, by method",
      ["method"],
    );
    const webhooks = counter(
      "payment_webhooks_total",
      "Provider webhooks by outcome (applied, ignored, duplicate, rejected)",
      ["outcome"],
    );
    const expired = counter(
      "payment_confirmations_expired_total",
      "Payments failed by the sweeper because the provider did not confirm them in time",
      [],
    );
    const pruned = counter(
      "payment_idempotency_keys_pruned_total",
      "Idempotency keys deleted after IDEMPOTENCY_RETENTION_HOURS",
      [],
    );

    const { verifier, tls } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks });
    const server = createRpcServer({ service: "payment", logger, verifier, metrics, tls: tls.server });
    server.add(
      PaymentService,
      createPaymentHandlers({ store, providers, authorizations, replays, webhooks }),
      PAYMENT_ACCESS_RULES,
    );

    const relay = createOutboxRelay({
      db,
      nats,
      context: EVENTS_CONTEXT,
      prefix: config.EVENTS_PREFIX,
      logger,
      metrics,
      backlogSampleMs: BACKLOG_SAMPLE_MS,
    });
    const sweeper = createConfirmationSweeper({
      store,
      providers,
      logger,
      intervalMs: config.PAYMENT_SWEEP_MS,
      timeoutMs: config.PAYMENT_CONFIRMATION_TIMEOUT_MS,
      onExpired: (count) => expired.inc(count),
    });
    const pruner = createIdempotencyPruner({
      store,
      logger,
      intervalMs: config.IDEMPOTENCY_PRUNE_MS,
      retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
      onPruned: (count) => pruned.inc(count),
    });

    return {
      server,
      relay,
      sweeper,
      pruner,
      store,
      providers,
      db,
      metrics,
      logger,
      ...createServiceRuntime({ server, lifecycle, workers: [relay, sweeper, pruner] }),
    };
  });
}
