import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, createOutboxRelay, type OutboxRelay, outboxEntities } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { JWK } from "jose";
import type { InventoryConfig } from "./config.ts";
import { createEventRows, createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createInventoryHandlers, INVENTORY_ACCESS_RULES } from "./rpc/index.ts";
import { createInventoryStore, INVENTORY_ENTITIES, type InventoryStore, MIGRATIONS } from "./store/index.ts";
import { createReservationSweeper, type ReservationSweeper } from "./sweeper.ts";

/** A built inventory service: everything wired, not yet listening. */
export interface Inventory {
  server: RpcServer;
  relay: OutboxRelay;
  sweeper: ReservationSweeper;
  store: InventoryStore;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /** Starts the outbox relay and the sweeper and serves gRPC; resolves with the bound port (0 picks one). */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops the sweeper and the relay, closes NATS and the database. */
  close(graceMs?: number): Promise<void>;
}

export interface InventoryOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: () => Promise<JWK[]>;
}

const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the inventory service from its configuration: migrates the database, connects to NATS,
 * and registers the handlers with their access rules on a gRPC server (which also serves
 * grpc.health.v1). Access tokens are verified with identity's keys, fetched at the first staff
 * call, so inventory starts (and serves public and service calls) without identity.
 *
 *   const inventory = await createInventory(loadInventoryConfig());
 *   const port = await inventory.listen(0, "127.0.0.1");
 *   ...
 *   await inventory.close();
 */
export async function createInventory(
  config: InventoryConfig,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const logger = options.logger ?? createLogger({ service: "inventory", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...INVENTORY_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "inventory" });
    lifecycle.defer(() => nats.close());

    const store = createInventoryStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
      outboxRows: createEventRows({ prefix: config.EVENTS_PREFIX }),
    });
    const metrics = createMetrics({ service: "inventory" });
    const reservations = new Counter({
      name: "inventory_reservations_total",
      help: "Reserve calls by outcome (reserved, repeated, out_of_stock, failed)",
      labelNames: ["outcome"],
      registers: [metrics.registry],
    });
    const expired = new Counter({
      name: "inventory_reservations_expired_total",
      help: "Reservations released by the sweeper because their time was up",
      registers: [metrics.registry],
    });

    const { verifier, tls } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks });
    const server = createRpcServer({ service: "inventory", logger, verifier, metrics, tls: tls.server });
    server.add(InventoryService, createInventoryHandlers({ store, reservations }), INVENTORY_ACCESS_RULES);

    const relay = createOutboxRelay({
      db,
      nats,
      context: EVENTS_CONTEXT,
      prefix: config.EVENTS_PREFIX,
      logger,
      metrics,
      backlogSampleMs: BACKLOG_SAMPLE_MS,
    });
    const sweeper = createReservationSweeper({
      store,
      logger,
      intervalMs: config.RESERVATION_SWEEP_MS,
      onExpired: (count) => expired.inc(count),
    });

    return {
      server,
      relay,
      sweeper,
      store,
      db,
      metrics,
      logger,
      ...createServiceRuntime({ server, lifecycle, workers: [relay, sweeper] }),
    };
  });
}
