import type { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import type { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import type { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import type { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import type { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { TokenVerifier } from "@shopmesh/kit/auth";
import type { Logger } from "@shopmesh/kit/log";
import type { Registry } from "@shopmesh/kit/metrics";
import type { RpcClient } from "@shopmesh/kit/rpc";
import type { Redis } from "ioredis";
import type { JWK } from "jose";
import type { BffConfig } from "./config.ts";
import type { NotificationFeed } from "./routes/notifications/feed.ts";

/**
 * Everything the BFF is built from, made once in main.ts and passed to createApp and to every
 * route registrar. Service clients are added here as the BFF grows, e.g.
 * `identity: RpcClient<typeof IdentityService>` (from @shopmesh/kit/rpc).
 */
export interface BffDeps {
  config: BffConfig;
  logger: Logger;
  /** The identity service. */
  identity: RpcClient<typeof IdentityService>;
  /** The cart service. */
  cart: RpcClient<typeof CartService>;
  /** The catalog service (products, categories, search). */
  catalog: RpcClient<typeof CatalogService>;
  /** The inventory service (warehouses, stock). */
  inventory: RpcClient<typeof InventoryService>;
  /** The order service (checkout, orders, returns). */
  order: RpcClient<typeof OrderService>;
  /** The payment service (provider webhooks, an order's payments for staff). */
  payment: RpcClient<typeof PaymentService>;
  /** The shipping service (quotes, carrier webhooks). */
  shipping: RpcClient<typeof ShippingService>;
  /** The audit service (audit log, dashboard figures). */
  audit: RpcClient<typeof AuditService>;
  /** The notification service (inbox, preferences, deliveries). */
  notification: RpcClient<typeof NotificationService>;
  /** Live notification events from NATS, routed to this process's open streams by user. */
  notificationFeed: NotificationFeed;
  /** Rate-limit counters (and later caches). */
  redis: Redis;
  /** Verifies access tokens (the kit's createTokenVerifier over identity's JWKS). */
  verifier: TokenVerifier;
  /** identity's current public signing keys, republished at /.well-known/jwks.json. */
  jwks: () => Promise<JWK[]>;
  /** /readyz runs each of these; all must resolve true. E.g. { redis: () => pingRedis(redis) }. */
  readiness: Record<string, () => Promise<boolean>>;
  /** Where the BFF's metrics live (the kit's createMetrics({ service: "bff" }).registry). */
  registry: Registry;
}
