import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import {
  connectNats,
  createOutboxRelay,
  type EventConsumer,
  type OutboxRelay,
  outboxEntities,
} from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRedis, type Redis } from "@shopmesh/kit/redis";
import { createRpcClient, createRpcServer, type RpcServer, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { JWK } from "jose";
import { type AvailabilitySync, createAvailabilitySync } from "./availability-sync.ts";
import { type CatalogCache, createCatalogCache } from "./cache.ts";
import type { CatalogConfig } from "./config.ts";
import { createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createInventoryConsumer } from "./inventory-events.ts";
import { CATALOG_ACCESS_RULES, createCatalogHandlers } from "./rpc/index.ts";
import { createInventoryAvailability } from "./sources/inventory.ts";
import { inStockChannel } from "./store/availability.ts";
import { CATALOG_ENTITIES, type CatalogStore, createCatalogStore, MIGRATIONS } from "./store/index.ts";

/** A built catalog service: everything wired, not yet listening. */
export interface Catalog {
  server: RpcServer;
  relay: OutboxRelay;
  /** Consumes inventory's events into dirty marks of the availability projection ("in stock"). */
  inventoryEvents: EventConsumer;
  availability: AvailabilitySync;
  store: CatalogStore;
  cache: CatalogCache;
  db: Db;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
  /**
   * Starts the outbox relay and the inventory consumer, serves gRPC, and starts the availability
   * flusher and fetching the availability of SKUs it has never seen in the background; resolves
   * with the bound port (0 picks one).
   */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops the relay, closes NATS, Redis and the database. */
  close(graceMs?: number): Promise<void>;
}

export interface CatalogOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /**
   * The public keys that verify access tokens. Defaults to identity's JWKS (GetJwks at
   * IDENTITY_ADDRESS), fetched at the first call that carries a token.
   */
  keys?: () => Promise<JWK[]>;
}

const KEY_REFRESH_MS = 60_000;
/** The name the catalog calls its peers as (service tokens). */
const SERVICE_NAME = "catalog";
const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the catalog service from its configuration: migrates the database (and rebuilds search
 * data made with another SEARCH_CONFIG), connects to NATS and Redis, and registers the handlers
 * with their access rules on a gRPC server (which also serves grpc.health.v1).
 *
 *   const catalog = await createCatalog(loadCatalogConfig());
 *   const port = await catalog.listen(0, "127.0.0.1");
 *   ...
 *   await catalog.close();
 */
export async function createCatalog(config: CatalogConfig, options: CatalogOptions = {}): Promise<Catalog> {
  const logger = options.logger ?? createLogger({ service: "catalog", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...CATALOG_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
      // Search's one statement took longer to plan than to run: its plan is made once per session.
      genericPlans: true,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "catalog" });
    lifecycle.defer(() => nats.close());

    // The cache is an optimisation: the service starts and answers without Redis.
    const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.CACHE_PREFIX });
    redis.on("error", (err) => logger.debug({ err }, "redis connection error"));
    lifecycle.defer(async () => redis.disconnect());
    const cache = createCatalogCache({
      redis,
      logger,
      productTtlSeconds: config.CACHE_TTL_SECONDS,
      queryTtlSeconds: config.SEARCH_CACHE_TTL_SECONDS,
      changesChannel: config.CHANGES_CHANNEL,
    });

    const metrics = createMetrics({ service: "catalog" });
    const tls = rpcTlsFromFiles(config);
    const inventory = createRpcClient(InventoryService, {
      address: config.INVENTORY_ADDRESS,
      ...(tls.client ? { tls: tls.client } : {}),
      timeoutMs: config.INVENTORY_TIMEOUT_MS,
      logger,
      metrics,
      ...(config.SERVICE_TOKEN_SECRET
        ? { serviceToken: createServiceToken({ service: SERVICE_NAME, secret: config.SERVICE_TOKEN_SECRET }) }
        : {}),
    });
    lifecycle.defer(async () => inventory.close());
    const notifyChannel = inStockChannel(config.DB_SCHEMA);
    const availability = createAvailabilitySync({
      db,
      source: createInventoryAvailability(inventory),
      notifyChannel,
      logger,
    });
    lifecycle.defer(() => availability.stop());
    // In-stock flags change in the flusher's (and backfill's) transactions; PostgreSQL tells us
    // once they commit (and a reconnect may have missed some): then search pages are dropped.
    const inStockChanged = () => void cache.invalidate({ products: new Map(), slugs: new Set(), any: true });
    await db.listen(notifyChannel, { onNotify: inStockChanged, onConnect: inStockChanged });

    const store = await createCatalogStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
      searchConfig: config.SEARCH_CONFIG,
      afterCommit: async (changes) => {
        await cache.invalidate(changes);
        // New SKUs may have stock already: fetch what the projection has never seen.
        if (changes.products.size > 0) availability.request("unknown");
      },
    });
    await store.reindexStale();

    const { verifier } = createServiceAuth({
      config,
      logger,
      lifecycle,
      keys: options.keys,
      refreshMs: KEY_REFRESH_MS,
      tls,
    });
    const server = createRpcServer({ service: "catalog", logger, verifier, metrics, tls: tls.server });
    server.add(
      CatalogService,
      createCatalogHandlers({
        store,
        cache,
        currency: config.CATALOG_CURRENCY,
        inStockTtlSeconds: config.IN_STOCK_CACHE_TTL_SECONDS,
      }),
      CATALOG_ACCESS_RULES,
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
    const inventoryEvents = createInventoryConsumer({
      nats,
      db,
      prefix: config.EVENTS_PREFIX,
      sync: availability,
      logger,
    });

    const runtime = createServiceRuntime({ server, lifecycle, workers: [relay, inventoryEvents] });
    return {
      server,
      relay,
      inventoryEvents,
      availability,
      store,
      cache,
      db,
      redis,
      metrics,
      logger,
      async listen(port, host) {
        const bound = await runtime.listen(port, host);
        // Not awaited: the catalog serves while the projection fills up.
        availability.start();
        return bound;
      },
      close: runtime.close,
    };
  });
}
