import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadCartConfig } from "./config.ts";

function problem(env: Record<string, string>): ConfigError {
  try {
    loadCartConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadCartConfig", () => {
  it("has local defaults for everything", () => {
    expect(loadCartConfig({})).toMatchObject({
      PORT: 50054,
      METRICS_PORT: 9467,
      REDIS_URL: "redis://127.0.0.1:6379",
      NATS_URL: "nats://127.0.0.1:4222",
      EVENTS_PREFIX: "shopmesh",
      CART_PREFIX: "shopmesh:cart:",
      GUEST_CART_TTL_SECONDS: 7 * 86_400,
      USER_CART_TTL_SECONDS: 60 * 86_400,
      ORDER_DEDUPE_TTL_SECONDS: 7 * 86_400,
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      CATALOG_ADDRESS: "127.0.0.1:50052",
      INVENTORY_ADDRESS: "127.0.0.1:50053",
      SERVICE_TOKEN_SECRET: undefined,
    });
  });

  it("names every malformed variable", () => {
    expect(
      problem({
        PORT: "http",
        REDIS_URL: "postgres://x",
        NATS_URL: "http://nats",
        EVENTS_PREFIX: "Shop-Mesh",
        CATALOG_ADDRESS: "catalog",
        GUEST_CART_TTL_SECONDS: "0",
        ORDER_DEDUPE_TTL_SECONDS: "10",
        SERVICE_TOKEN_SECRET: "short",
      }).variables.sort(),
    ).toEqual([
      "CATALOG_ADDRESS",
      "EVENTS_PREFIX",
      "GUEST_CART_TTL_SECONDS",
      "NATS_URL",
      "ORDER_DEDUPE_TTL_SECONDS",
      "PORT",
      "REDIS_URL",
      "SERVICE_TOKEN_SECRET",
    ]);
  });
});
