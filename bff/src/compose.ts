import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { createIdentityKeys, createTokenVerifier } from "@shopmesh/kit/auth";
import type { Logger } from "@shopmesh/kit/log";
import { createMetrics } from "@shopmesh/kit/metrics";
import { createRedis, pingRedis } from "@shopmesh/kit/redis";
import { createHealthClient, createRpcClient } from "@shopmesh/kit/rpc";
import { createApp } from "./app.ts";
import type { BffConfig } from "./config.ts";
import type { BffDeps } from "./deps.ts";

const REDIS_WAIT_MS = 3_000;

export interface Bff {
  deps: BffDeps;
  app: ReturnType<typeof createApp>;
  /** Resolves once Redis is connected (or after a short wait): until then auth routes answer 503. */
  ready(): Promise<void>;
  /** Starts the HTTP server; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting requests, lets in-flight ones finish, closes clients. */
  close(): Promise<void>;
}

/**
 * Builds the BFF from its configuration: Redis, the service clients, the token verifier over
 * identity's JWKS, readiness checks, and the app. main.ts and the end-to-end tests both use it.
 */
export function createBff(config: BffConfig, logger: Logger): Bff {
  const metrics = createMetrics({ service: "bff" });
  const redis = createRedis({ url: config.REDIS_URL });
  redis.on("error", (err) => logger.debug({ err }, "redis connection error"));
  const identity = createRpcClient(IdentityService, { address: config.IDENTITY_ADDRESS, logger, metrics });
  const identityHealth = createHealthClient(config.IDENTITY_ADDRESS);
  const cart = createRpcClient(CartService, { address: config.CART_ADDRESS, logger, metrics });
  const catalog = createRpcClient(CatalogService, { address: config.CATALOG_ADDRESS, logger, metrics });
  const inventory = createRpcClient(InventoryService, { address: config.INVENTORY_ADDRESS, logger, metrics });
  const order = createRpcClient(OrderService, { address: config.ORDER_ADDRESS, logger, metrics });
  const payment = createRpcClient(PaymentService, { address: config.PAYMENT_ADDRESS, logger, metrics });
  const shipping = createRpcClient(ShippingService, { address: config.SHIPPING_ADDRESS, logger, metrics });

  const identityKeys = createIdentityKeys({ address: config.IDENTITY_ADDRESS, logger });
  const jwks = () => identityKeys.keys();

  const deps: BffDeps = {
    config,
    logger,
    identity,
    cart,
    catalog,
    inventory,
    order,
    payment,
    shipping,
    redis,
    verifier: createTokenVerifier({ keys: jwks }),
    jwks,
    registry: metrics.registry,
    readiness: {
      redis: () => pingRedis(redis),
      identity: async () => (await identityHealth.check("", 700)) === "SERVING",
    },
  };
  const app = createApp(deps);
  let server: Server | undefined;

  async function ready(): Promise<void> {
    if (redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, REDIS_WAIT_MS);
      function done() {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      }
      redis.once("ready", done);
    });
  }

  return {
    deps,
    app,
    ready,
    async listen() {
      await ready();
      return new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
          logger.info({ port: info.port, host: config.HOST }, "bff listening");
          resolve(info.port);
        }) as Server;
      });
    },
    async close() {
      if (server) {
        const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      identity.close();
      identityKeys.close();
      cart.close();
      catalog.close();
      inventory.close();
      order.close();
      payment.close();
      shipping.close();
      identityHealth.close();
      redis.disconnect();
    },
  };
}
