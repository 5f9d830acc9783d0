import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadOrderConfig } from "./config.ts";

function variables(env: Record<string, string>): string[] {
  try {
    loadOrderConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variables.sort();
    throw error;
  }
  return [];
}

describe("loadOrderConfig", () => {
  it("uses the local defaults", () => {
    expect(loadOrderConfig({})).toMatchObject({
      PORT: 50055,
      METRICS_PORT: 9468,
      DB_SCHEMA: "order",
      CART_ADDRESS: "127.0.0.1:50054",
      INVENTORY_ADDRESS: "127.0.0.1:50053",
      PAYMENT_ADDRESS: "127.0.0.1:50056",
      SHIPPING_ADDRESS: "127.0.0.1:50057",
      PLACE_ORDER_WAIT_MS: 10_000,
      RESERVATION_TTL_SECONDS: 3_600,
    });
    expect(loadOrderConfig({}).ORDER_SAGA_PAUSE_AT).toBeUndefined();
  });

  it("names every bad variable", () => {
    expect(variables({ PORT: "70000", CART_ADDRESS: "cart", ORDER_SAGA_PAUSE_AT: "nowhere" })).toEqual([
      "CART_ADDRESS",
      "ORDER_SAGA_PAUSE_AT",
      "PORT",
    ]);
  });

  it("refuses a reservation that would run out while a payment confirmation is awaited", () => {
    expect(variables({ RESERVATION_TTL_SECONDS: "600", PAYMENT_CONFIRMATION_TIMEOUT_MS: "900000" })).toEqual([
      "RESERVATION_TTL_SECONDS",
    ]);
    expect(variables({ SAGA_LEASE_MS: "1000", PEER_TIMEOUT_MS: "5000" })).toEqual(["SAGA_LEASE_MS"]);
  });
});
