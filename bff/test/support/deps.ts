import { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { Registry } from "@shopmesh/kit/metrics";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { loadBffConfig } from "../../src/config.ts";
import type { BffDeps } from "../../src/deps.ts";
import { createNotificationFeed } from "../../src/routes/notifications/feed.ts";
import { captureLogs } from "./logs.ts";
import { connectTestRedis } from "./redis.ts";
import { createTestKeys, type TestKeys } from "./tokens.ts";

/** Nothing listens there: tests of routes that call a service pass a real client in overrides. */
const nowhere = { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 };

export interface TestBff {
  deps: BffDeps;
  keys: TestKeys;
  lines: Record<string, unknown>[];
  cleanup(): Promise<void>;
}

/**
 * BffDeps for tests: configuration from `env` over the defaults, the local Redis under a key
 * prefix of its own, real signing keys and verifier, captured logs and a fresh metrics registry.
 */
export async function createTestBff(
  env: Record<string, string> = {},
  overrides: Partial<BffDeps> = {},
): Promise<TestBff> {
  const { redis, prefix, cleanup } = await connectTestRedis();
  const keys = await createTestKeys();
  const { logger, lines } = captureLogs();
  const deps: BffDeps = {
    config: loadBffConfig({ RATE_LIMIT_PREFIX: prefix, ...env }),
    logger,
    redis,
    verifier: keys.verifier,
    jwks: async () => keys.jwks,
    identity: createRpcClient(IdentityService, nowhere),
    cart: createRpcClient(CartService, nowhere),
    catalog: createRpcClient(CatalogService, nowhere),
    inventory: createRpcClient(InventoryService, nowhere),
    order: createRpcClient(OrderService, nowhere),
    payment: createRpcClient(PaymentService, nowhere),
    shipping: createRpcClient(ShippingService, nowhere),
    audit: createRpcClient(AuditService, nowhere),
    notification: createRpcClient(NotificationService, nowhere),
    // No NATS here: live streams answer 503 unless a test passes a feed of its own.
    notificationFeed: createNotificationFeed({
      connect: () => Promise.reject(new Error("no NATS")),
      prefix: "t",
      logger,
    }),
    readiness: {},
    registry: new Registry(),
    ...overrides,
  };
  return { deps, keys, lines, cleanup };
}
