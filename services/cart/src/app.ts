import { once } from "node:events";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { connectNats, type EventConsumer, type NatsConnection } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRedis, type Redis } from "@shopmesh/kit/redis";
import { createRpcClient, createRpcServer, type RpcServer, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { CartConfig } from "./config.ts";
import { type CartEventPublisher, createCartEvents } from "./events.ts";
import { createOrderConsumer, ORDER_CONSUMER } from "./order-events.ts";
import { CART_ACCESS_RULES, createCartHandlers } from "./rpc/index.ts";
import { createCatalogPrices } from "./sources/catalog.ts";
import { createInventoryStock } from "./sources/inventory.ts";
import { type CartStore, createCartStore } from "./store/carts.ts";

/** A built cart service: everything wired, not yet listening. */
export interface CartApp {
  server: RpcServer;
  store: CartStore;
  redis: Redis;
  /** CartCreated, published after each Redis write that makes a cart. */
  events: CartEventPublisher;
  metrics: Metrics;
  logger: Logger;
  /**
   * Waits for Redis (up to REDIS_READY_TIMEOUT_MS), connects to NATS and makes sure the cart's
   * stream exists, starts consuming OrderConfirmed, then serves gRPC; resolves with the bound
   * port (0 picks one).
   */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Drains in-flight calls, stops consuming, waits for the events being published, and closes
   * the peer clients, NATS and Redis.
   */
  close(graceMs?: number): Promise<void>;
}

export interface CartAppOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
}

/** Signing keys are read again this often (and at once, rate-limited, for an unknown kid). */
const KEY_REFRESH_MS = 60_000;
/** How long a starting cart service waits for Redis before giving up. */
const REDIS_READY_TIMEOUT_MS = 10_000;
/** The name the cart calls its peers as (service tokens). */
const SERVICE_NAME = "cart";

/**
 * Builds the cart service from its configuration: a Redis client under CART_PREFIX, clients of
 * catalog and inventory (calling as the service "cart" when SERVICE_TOKEN_SECRET is set), a
 * token verifier fed by identity's JWKS, and the handlers with their access rules on a gRPC
 * server (which also serves grpc.health.v1). Needs no database: carts live in Redis. NATS is
 * connected by `listen`: CartCreated is published on it right after the Redis write (events.ts),
 * and order's OrderConfirmed is consumed from it (order-events.ts).
 *
 *   const cart = createCartApp(loadCartConfig());
 *   const port = await cart.listen(0, "127.0.0.1");
 *   ...
 *   await cart.close();
 */
export function createCartApp(config: CartConfig, options: CartAppOptions = {}): CartApp {
  const logger = options.logger ?? createLogger({ service: "cart", level: config.LOG_LEVEL });
  const metrics = createMetrics({ service: "cart" });
  const serviceToken = config.SERVICE_TOKEN_SECRET
    ? createServiceToken({ service: SERVICE_NAME, secret: config.SERVICE_TOKEN_SECRET })
    : undefined;
  const tls = rpcTlsFromFiles(config);
  const peer = (address: string) => ({
    address,
    timeoutMs: config.PEER_TIMEOUT_MS,
    logger,
    metrics,
    tls: tls.client,
    ...(serviceToken ? { serviceToken } : {}),
  });
  const catalog = createRpcClient(CatalogService, peer(config.CATALOG_ADDRESS));
  const inventory = createRpcClient(InventoryService, peer(config.INVENTORY_ADDRESS));
  const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.CART_PREFIX });
  redis.on("error", (error: Error) => logger.warn({ err: error }, "redis connection failed"));
  const lifecycle = createLifecycle();
  lifecycle.defer(() => redis.disconnect());
  lifecycle.defer(() => inventory.close());
  lifecycle.defer(() => catalog.close());

  const store = createCartStore({
    redis,
    ttl: { guestSeconds: config.GUEST_CART_TTL_SECONDS, userSeconds: config.USER_CART_TTL_SECONDS },
  });
  // Customers' access tokens are checked against identity's published keys; service tokens
  // (other services calling as themselves) against the shared secret.
  const { verifier } = createServiceAuth({ config, logger, lifecycle, tls, refreshMs: KEY_REFRESH_MS });
  const events = createCartEvents({ prefix: config.EVENTS_PREFIX, logger, metrics });
  const server = createRpcServer({ service: "cart", logger, verifier, metrics, tls: tls.server });
  server.add(
    CartService,
    createCartHandlers({
      store,
      prices: createCatalogPrices(catalog),
      stock: createInventoryStock(inventory),
      events,
    }),
    CART_ACCESS_RULES,
  );

  let nats: NatsConnection | undefined;
  let orderEvents: EventConsumer | undefined;
  // Drained calls first, then the consumer (a runtime worker), the events being published, NATS,
  // and the clients opened above.
  lifecycle.defer(() => nats?.close());
  lifecycle.defer(() => events.stop());
  // Started by the runtime once `listen` has connected NATS (the consumer needs the connection).
  const orderWorker = {
    start() {
      if (!nats) throw new Error("NATS is not connected");
      orderEvents ??= createOrderConsumer({
        nats,
        prefix: config.EVENTS_PREFIX,
        store,
        dedupeSeconds: config.ORDER_DEDUPE_TTL_SECONDS,
        logger,
        onEvent(outcome) {
          metrics.eventsConsumed.inc({
            type: outcome.type,
            consumer: ORDER_CONSUMER,
            outcome: outcome.result,
          });
          if (outcome.lagMs !== undefined)
            metrics.eventLag.observe({ consumer: ORDER_CONSUMER }, outcome.lagMs / 1000);
        },
      });
      return orderEvents.start();
    },
    stop: () => orderEvents?.stop(),
  };
  const runtime = createServiceRuntime({ server, lifecycle, workers: [orderWorker] });
  return {
    server,
    store,
    redis,
    events,
    metrics,
    logger,
    async listen(port, host = "0.0.0.0") {
      // The client fails commands fast while disconnected, so the first calls after a start
      // would fail: serve only once Redis answers.
      await redisReady(redis, REDIS_READY_TIMEOUT_MS);
      nats ??= await connectNats({ url: config.NATS_URL, name: "cart" });
      await events.start(nats);
      return runtime.listen(port, host);
    },
    close: runtime.close,
  };
}

/** Resolves once the client is connected; rejects naming Redis after `timeoutMs`. */
async function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await once(redis, "ready", { signal });
  } catch {
    throw new Error(`Redis (REDIS_URL) did not answer within ${timeoutMs} ms`);
  }
}
