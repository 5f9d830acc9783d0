import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadCatalogConfig } from "./config.ts";

describe("loadCatalogConfig", () => {
  it("has the local defaults of the architecture", () => {
    expect(loadCatalogConfig({})).toMatchObject({
      PORT: 50052,
      METRICS_PORT: 9465,
      DB_SCHEMA: "catalog",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      CACHE_PREFIX: "shopmesh:catalog:",
      CATALOG_CURRENCY: "EUR",
      SEARCH_CONFIG: "english",
    });
  });

  it("names every bad variable", () => {
    let error: unknown;
    try {
      loadCatalogConfig({
        PORT: "x",
        CATALOG_CURRENCY: "XYZ",
        SEARCH_CONFIG: "english; drop",
        IDENTITY_ADDRESS: "identity",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual([
      "CATALOG_CURRENCY",
      "IDENTITY_ADDRESS",
      "PORT",
      "SEARCH_CONFIG",
    ]);
  });
});
