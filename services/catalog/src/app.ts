import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createIdentityKeys, createTokenVerifier } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, createOutboxRelay, type OutboxRelay, outboxEntities } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRedis, type Redis } from "@shopmesh/kit/redis";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import type { JWK } from "jose";
import { type CatalogCache, createCatalogCache } from "./cache.ts";
import type { CatalogConfig } from "./config.ts";
import { createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { CATALOG_ACCESS_RULES, createCatalogHandlers } from "./rpc/index.ts";
import { CATALOG_ENTITIES, type CatalogStore, createCatalogStore, MIGRATIONS } from "./store/index.ts";

/** A built catalog service: everything wired, not yet listening. */
export interface Catalog {
  server: RpcServer;
  relay: OutboxRelay;
  store: CatalogStore;
  cache: CatalogCache;
  db: Db;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
  /** Starts the outbox relay and serves gRPC; resolves with the bound port (0 picks one). */
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
  const cleanup: (() => Promise<unknown>)[] = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...CATALOG_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    cleanup.push(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "catalog" });
    cleanup.push(() => nats.close());

    // The cache is an optimisation: the service starts and answers without Redis.
    const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.CACHE_PREFIX });
    redis.on("error", (err) => logger.debug({ err }, "redis connection error"));
    cleanup.push(async () => redis.disconnect());
    const cache = createCatalogCache({
      redis,
      logger,
      productTtlSeconds: config.CACHE_TTL_SECONDS,
      queryTtlSeconds: config.SEARCH_CACHE_TTL_SECONDS,
    });

    const store = await createCatalogStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
      searchConfig: config.SEARCH_CONFIG,
      afterCommit: (changes) => cache.invalidate(changes),
    });
    await store.reindexStale();

    const metrics = createMetrics({ service: "catalog" });
    const verifier = createTokenVerifier({
      keys: options.keys ?? identityKeys(config.IDENTITY_ADDRESS, logger, cleanup),
      refreshMs: KEY_REFRESH_MS,
      ...(config.SERVICE_TOKEN_SECRET ? { serviceSecret: config.SERVICE_TOKEN_SECRET } : {}),
    });
    const server = createRpcServer({ service: "catalog", logger, verifier, metrics });
    server.add(
      CatalogService,
      createCatalogHandlers({ store, cache, currency: config.CATALOG_CURRENCY }),
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

    let closing: Promise<void> | undefined;
    return {
      server,
      relay,
      store,
      cache,
      db,
      redis,
      metrics,
      logger,
      async listen(port, host = "0.0.0.0") {
        await relay.start();
        cleanup.push(() => relay.stop());
        return server.listen(port, host);
      },
      close(graceMs = 10_000) {
        closing ??= (async () => {
          await server.shutdown(graceMs);
          await undo();
        })();
        return closing;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

/** identity's JWKS for the verifier; the client is closed with the service. */
function identityKeys(address: string, logger: Logger, cleanup: (() => Promise<unknown>)[]) {
  const source = createIdentityKeys({ address, logger });
  cleanup.push(async () => source.close());
  return () => source.keys();
}
