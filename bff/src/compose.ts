import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { createIdentityKeys, createTokenVerifier } from "@shopmesh/kit/auth";
import { connectNats } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import { createMetrics } from "@shopmesh/kit/metrics";
import { createRedis, pingRedis } from "@shopmesh/kit/redis";
import { createHealthClient, createRpcClient, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import { createApp } from "./app.ts";
import type { BffConfig } from "./config.ts";
import type { BffDeps } from "./deps.ts";
import { createNotificationFeed } from "./routes/notifications/feed.ts";

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
  // Plaintext unless TLS_* files are set: inside the mesh Istio adds mutual TLS.
  const tls = rpcTlsFromFiles(config).client;
  const peer = (address: string) => ({ address, logger, metrics, tls });
  const identity = createRpcClient(IdentityService, peer(config.IDENTITY_ADDRESS));
  const identityHealth = createHealthClient(config.IDENTITY_ADDRESS, tls);
  const cart = createRpcClient(CartService, peer(config.CART_ADDRESS));
  const catalog = createRpcClient(CatalogService, peer(config.CATALOG_ADDRESS));
  const inventory = createRpcClient(InventoryService, peer(config.INVENTORY_ADDRESS));
  const order = createRpcClient(OrderService, peer(config.ORDER_ADDRESS));
  const payment = createRpcClient(PaymentService, peer(config.PAYMENT_ADDRESS));
  const shipping = createRpcClient(ShippingService, peer(config.SHIPPING_ADDRESS));
  const notification = createRpcClient(NotificationService, peer(config.NOTIFICATION_ADDRESS));
  // Connects to NATS on the first live stream; closed first in close(), which ends the streams.
  const notificationFeed = createNotificationFeed({
    connect: () => connectNats({ url: config.NATS_URL, name: "bff" }),
    prefix: config.EVENTS_PREFIX,
    logger,
  });
  const audit = createRpcClient(AuditService, peer(config.AUDIT_ADDRESS));

  const identityKeys = createIdentityKeys({ address: config.IDENTITY_ADDRESS, logger, tls });
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
    audit,
    notification,
    notificationFeed,
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
      await notificationFeed.close();
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
      notification.close();
      audit.close();
      identityHealth.close();
      redis.disconnect();
    },
  };
}
