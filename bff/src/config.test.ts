import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadBffConfig } from "./config.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadBffConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadBffConfig", () => {
  it("has safe local defaults", () => {
    const config = loadBffConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      REDIS_URL: "redis://127.0.0.1:6379",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      CORS_ORIGINS: ["http://localhost:3000", "http://localhost:5173"],
      TRUST_PROXY: 0,
      COOKIE_SECURE: true,
      REFRESH_COOKIE_NAME: "__Host-shopmesh_rt",
    });
    expect(config.RATE_LIMIT_AUTH_LIMIT).toBeLessThan(config.RATE_LIMIT_LIMIT);
  });

  it("reads a comma-separated origin list", () => {
    const config = loadBffConfig({
      CORS_ORIGINS: " https://shop.example.com , https://admin.example.com:8443 ",
    });
    expect(config.CORS_ORIGINS).toEqual(["https://shop.example.com", "https://admin.example.com:8443"]);
  });

  it("refuses a wildcard or a URL with a path as an origin, naming the variable", () => {
    for (const value of ["*", "https://shop.example.com/", "shop.example.com"]) {
      const error = configError({ CORS_ORIGINS: value });
      expect(error.variables).toEqual(["CORS_ORIGINS"]);
      expect(error.message).toContain("is not an origin");
    }
  });

  it("reads TRUST_PROXY as a number of proxies", () => {
    expect(loadBffConfig({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(1);
    expect(loadBffConfig({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(0);
    expect(loadBffConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(configError({ TRUST_PROXY: "yes" }).variables).toEqual(["TRUST_PROXY"]);
  });

  it("names every bad variable at once", () => {
    const error = configError({ PORT: "99999", IDENTITY_ADDRESS: "identity", RATE_LIMIT_LIMIT: "0" });
    expect(error.variables.sort()).toEqual(["IDENTITY_ADDRESS", "PORT", "RATE_LIMIT_LIMIT"]);
  });

  it("refuses a __Host- cookie without Secure, which browsers would drop", () => {
    expect(configError({ COOKIE_SECURE: "false" }).variables).toEqual([
      "REFRESH_COOKIE_NAME",
      "CART_COOKIE_NAME",
    ]);
    expect(
      loadBffConfig({
        COOKIE_SECURE: "false",
        REFRESH_COOKIE_NAME: "shopmesh_rt",
        CART_COOKIE_NAME: "shopmesh_cart",
      }).COOKIE_SECURE,
    ).toBe(false);
  });
});
