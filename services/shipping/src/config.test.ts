import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_WEBHOOK_SECRET, loadShippingConfig } from "./config.ts";

function problems(env: Record<string, string>): string[] {
  try {
    loadShippingConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variables.sort();
  }
  throw new Error("the configuration should have been refused");
}

describe("loadShippingConfig", () => {
  it("uses the local defaults, with the public development webhook secret", () => {
    expect(loadShippingConfig({})).toMatchObject({
      PORT: 50057,
      METRICS_PORT: 9470,
      DB_SCHEMA: "shipping",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      SHOP_COUNTRY: "DE",
      SHOP_CURRENCY: "EUR",
      SIMCARRIER_STEP_MS: 30_000,
      SIMCARRIER_WEBHOOK_SECRET: DEVELOPMENT_WEBHOOK_SECRET,
      usesDevelopmentWebhookSecret: true,
    });
  });

  it("takes a configured webhook secret and a step of 0 (carrier off)", () => {
    const config = loadShippingConfig({
      SIMCARRIER_WEBHOOK_SECRET: "a-real-secret-of-some-length",
      SIMCARRIER_STEP_MS: "0",
      SHOP_COUNTRY: "AT",
    });
    expect(config).toMatchObject({
      SIMCARRIER_WEBHOOK_SECRET: "a-real-secret-of-some-length",
      usesDevelopmentWebhookSecret: false,
      SIMCARRIER_STEP_MS: 0,
      SHOP_COUNTRY: "AT",
    });
  });

  it("requires a webhook secret in production", () => {
    expect(problems({ NODE_ENV: "production" })).toEqual(["SIMCARRIER_WEBHOOK_SECRET"]);
    expect(
      loadShippingConfig({ NODE_ENV: "production", SIMCARRIER_WEBHOOK_SECRET: "x".repeat(32) })
        .usesDevelopmentWebhookSecret,
    ).toBe(false);
  });

  it("names every bad variable", () => {
    expect(
      problems({
        PORT: "70000",
        SHOP_COUNTRY: "de",
        SHOP_CURRENCY: "euro",
        SIMCARRIER_WEBHOOK_SECRET: "short",
        SIMCARRIER_STEP_MS: "-1",
      }),
    ).toEqual(["PORT", "SHOP_COUNTRY", "SHOP_CURRENCY", "SIMCARRIER_STEP_MS", "SIMCARRIER_WEBHOOK_SECRET"]);
  });
});
