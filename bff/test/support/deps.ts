import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { Registry } from "@shopmesh/kit/metrics";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { loadBffConfig } from "../../src/config.ts";
import type { BffDeps } from "../../src/deps.ts";
import { captureLogs } from "./logs.ts";
import { connectTestRedis } from "./redis.ts";
import { createTestKeys, type TestKeys } from "./tokens.ts";

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
    // Nothing listens there: tests of routes that call identity pass a real client in overrides.
    identity: createRpcClient(IdentityService, { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 }),
    cart: createRpcClient(CartService, { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 }),
    catalog: createRpcClient(CatalogService, { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 }),
    inventory: createRpcClient(InventoryService, { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 }),
    readiness: {},
    registry: new Registry(),
    ...overrides,
  };
  return { deps, keys, lines, cleanup };
}
