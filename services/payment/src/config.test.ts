import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { DEV_SANDBOX_WEBHOOK_SECRET, loadPaymentConfig } from "./config.ts";

function problem(env: Record<string, string>): ConfigError {
  try {
    loadPaymentConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadPaymentConfig", () => {
  it("uses the local defaults, the development webhook secret included", () => {
    const config = loadPaymentConfig({});
    expect(config).toMatchObject({
      PORT: 50056,
      METRICS_PORT: 9469,
      DB_SCHEMA: "payment",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      SANDBOX_WEBHOOK_SECRET: DEV_SANDBOX_WEBHOOK_SECRET,
      SANDBOX_CONFIRM_DELAY_MS: 2000,
      PAYMENT_CONFIRMATION_TIMEOUT_MS: 600_000,
      PAYMENT_SWEEP_MS: 5000,
      IDEMPOTENCY_RETENTION_HOURS: 24,
      IDEMPOTENCY_PRUNE_MS: 600_000,
    });
    expect(config.SANDBOX_WEBHOOK_URL).toBeUndefined();
  });

  it("names every bad variable", () => {
    const error = problem({
      PORT: "70000",
      SANDBOX_WEBHOOK_URL: "ftp://example.com",
      SANDBOX_WEBHOOK_SECRET: "short",
      PAYMENT_SWEEP_MS: "5",
    });
    expect(error.variables.sort()).toEqual([
      "PAYMENT_SWEEP_MS",
      "PORT",
      "SANDBOX_WEBHOOK_SECRET",
      "SANDBOX_WEBHOOK_URL",
    ]);
  });

  it("keeps idempotency keys a configurable whole number of hours, from 1 to a year", () => {
    expect(loadPaymentConfig({ IDEMPOTENCY_RETENTION_HOURS: "72" }).IDEMPOTENCY_RETENTION_HOURS).toBe(72);
    for (const [value, message] of [
      ["0", "must be at least 1 hour"],
      ["-5", "must be at least 1 hour"],
      ["1.5", "must be a whole number of hours"],
      ["a day", "must be a whole number of hours"],
      ["9000", "must be at most 8760 hours (a year)"],
    ]) {
      const error = problem({ IDEMPOTENCY_RETENTION_HOURS: value! });
      expect(error.variables).toEqual(["IDEMPOTENCY_RETENTION_HOURS"]);
      expect(error.message).toContain(`IDEMPOTENCY_RETENTION_HOURS: ${message}`);
    }
    expect(problem({ IDEMPOTENCY_PRUNE_MS: "10" }).variables).toEqual(["IDEMPOTENCY_PRUNE_MS"]);
  });

  it("requires a webhook secret of its own in production", () => {
    expect(problem({ NODE_ENV: "production" }).variables).toEqual(["SANDBOX_WEBHOOK_SECRET"]);
    expect(
      problem({ NODE_ENV: "production", SANDBOX_WEBHOOK_SECRET: DEV_SANDBOX_WEBHOOK_SECRET }).variables,
    ).toEqual(["SANDBOX_WEBHOOK_SECRET"]);
    const secret = "whsec_0123456789abcdef0123";
    expect(
      loadPaymentConfig({ NODE_ENV: "production", SANDBOX_WEBHOOK_SECRET: secret }).SANDBOX_WEBHOOK_SECRET,
    ).toBe(secret);
  });
});
