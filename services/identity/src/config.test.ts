import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadIdentityConfig } from "./config.ts";

function problem(env: Record<string, string>): ConfigError {
  try {
    loadIdentityConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadIdentityConfig", () => {
  it("has local defaults for everything", () => {
    expect(loadIdentityConfig({})).toMatchObject({
      PORT: 50051,
      METRICS_PORT: 9464,
      DB_SCHEMA: "identity",
      EVENTS_PREFIX: "shopmesh",
      SECRETS_KEY: undefined,
    });
  });

  it("refuses to start in production without SECRETS_KEY", () => {
    expect(problem({ NODE_ENV: "production" }).variables).toEqual(["SECRETS_KEY"]);
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadIdentityConfig({ NODE_ENV: "production", SECRETS_KEY: key }).SECRETS_KEY).toBe(key);
  });

  it("names a malformed secrets key, port or schema", () => {
    expect(
      problem({ SECRETS_KEY: "c2hvcnQ=", PORT: "http", DB_SCHEMA: "Identity" }).variables.sort(),
    ).toEqual(["DB_SCHEMA", "PORT", "SECRETS_KEY"]);
  });

  it("checks the demo admin login against the registration rules", () => {
    expect(problem({ SHOPMESH_ADMIN_EMAIL: "admin@shopmesh.local" }).variables).toEqual([
      "SHOPMESH_ADMIN_PASSWORD",
    ]);
    const weak = problem({ SHOPMESH_ADMIN_EMAIL: "admin", SHOPMESH_ADMIN_PASSWORD: "short" });
    expect(weak.variables).toEqual(["SHOPMESH_ADMIN_EMAIL", "SHOPMESH_ADMIN_PASSWORD"]);
    expect(
      loadIdentityConfig({
        SHOPMESH_ADMIN_EMAIL: "admin@shopmesh.local",
        SHOPMESH_ADMIN_PASSWORD: "shopmesh-admin-demo",
      }),
    ).toMatchObject({ SHOPMESH_ADMIN_EMAIL: "admin@shopmesh.local" });
  });
});
