import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadInventoryConfig } from "./config.ts";

describe("loadInventoryConfig", () => {
  it("uses the local defaults", () => {
    expect(loadInventoryConfig({})).toMatchObject({
      PORT: 50053,
      METRICS_PORT: 9466,
      DB_SCHEMA: "inventory",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      RESERVATION_SWEEP_MS: 5000,
    });
  });

  it("names every bad variable", () => {
    let error: unknown;
    try {
      loadInventoryConfig({ PORT: "70000", IDENTITY_ADDRESS: "identity", RESERVATION_SWEEP_MS: "5" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual([
      "IDENTITY_ADDRESS",
      "PORT",
      "RESERVATION_SWEEP_MS",
    ]);
  });
});
