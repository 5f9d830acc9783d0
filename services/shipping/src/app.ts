import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { TokenVerifierOptions } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, createOutboxRelay, type OutboxRelay, outboxEntities } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import { type Carriers, createCarriers, SIMCARRIER } from "./carrier/carriers.ts";
import { createSimulatedCarrier, type SimulatedCarrier } from "./carrier/simcarrier.ts";
import type { ShippingConfig } from "./config.ts";
import { createEventRows, createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createShippingHandlers, SHIPPING_ACCESS_RULES } from "./rpc/index.ts";
import { createShippingStore, MIGRATIONS, SHIPPING_ENTITIES, type ShippingStore } from "./store/index.ts";

/** A built shipping service: everything wired, not yet listening. */
export interface Shipping {
  server: RpcServer;
  relay: OutboxRelay;
  carrier: SimulatedCarrier;
  carriers: Carriers;
  store: ShippingStore;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /** Starts the outbox relay and the simulated carrier and serves gRPC; resolves with the bound port (0 picks one). */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops the carrier and the relay, closes NATS and the database. */
  close(graceMs?: number): Promise<void>;
}

export interface ShippingOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: TokenVerifierOptions["keys"];
}

const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the shipping service from its configuration: migrates the database, connects to NATS,
 * registers the handlers with their access rules on a gRPC server (which also serves
 * grpc.health.v1) and makes the simulated carrier. Access tokens are verified with identity's
 * keys, fetched at the first staff call, so shipping starts (and serves public and service calls)
 * without identity.
 *
 *   const shipping = await createShipping(loadShippingConfig());
 *   const port = await shipping.listen(0, "127.0.0.1");
 *   ...
 *   await shipping.close();
 */
export async function createShipping(
  config: ShippingConfig,
  options: ShippingOptions = {},
): Promise<Shipping> {
  const logger = options.logger ?? createLogger({ service: "shipping", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    if (config.usesDevelopmentWebhookSecret) {
      logger.warn(
        "SIMCARRIER_WEBHOOK_SECRET is not set: carrier webhooks are checked with the public development secret",
      );
    }
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...SHIPPING_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "shipping" });
    lifecycle.defer(() => nats.close());

    const store = createShippingStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
      outboxRows: createEventRows({ prefix: config.EVENTS_PREFIX }),
    });
    const carriers = createCarriers(config);
    const metrics = createMetrics({ service: "shipping" });
    const webhooks = new Counter({
      name: "shipping_carrier_webhooks_total",
      help: "Carrier webhooks handled, by outcome (applied, duplicate, ignored, stale)",
      labelNames: ["outcome"],
      registers: [metrics.registry],
    });
    const statusChanges = new Counter({
      name: "shipping_status_changes_total",
      help: "Shipments reaching a status (label_created on creation)",
      labelNames: ["status"],
      registers: [metrics.registry],
    });

    const { verifier, tls } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks });
    const server = createRpcServer({ service: "shipping", logger, verifier, metrics, tls: tls.server });
    server.add(
      ShippingService,
      createShippingHandlers({
        store,
        carriers,
        defaultCarrier: SIMCARRIER,
        shopCountry: config.SHOP_COUNTRY,
        currency: config.SHOP_CURRENCY,
        webhooks,
        statusChanges,
      }),
      SHIPPING_ACCESS_RULES,
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
    const carrier = createSimulatedCarrier({
      store,
      carriers,
      logger,
      stepMs: config.SIMCARRIER_STEP_MS,
      origin: config.SHOP_COUNTRY,
    });

    return {
      server,
      relay,
      carrier,
      carriers,
      store,
      db,
      metrics,
      logger,
      ...createServiceRuntime({ server, lifecycle, workers: [relay, carrier] }),
    };
  });
}
