import { once } from "node:events";
import { createLogger } from "@shopmesh/kit/log";
import { createRedis } from "@shopmesh/kit/redis";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCatalog } from "../src/app.ts";
import { loadCatalogConfig } from "../src/config.ts";

let database: TestDatabase;
const prefix = testPrefix();
const logger = createLogger({ service: "catalog", level: "silent" });
const config = (searchConfig: string) =>
  loadCatalogConfig({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    CACHE_PREFIX: `${prefix}:catalog:`,
    LOG_LEVEL: "silent",
    SEARCH_CONFIG: searchConfig,
  });

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  // A starting catalog drops cached pages (it may have missed in-stock changes): the key it bumps.
  const redis = createRedis({ url: "redis://127.0.0.1:6379" });
  redis.on("error", () => undefined);
  await once(redis, "ready", { signal: AbortSignal.timeout(2_000) })
    .then(async () => {
      const keys = await redis.keys(`${prefix}:catalog:*`);
      if (keys.length > 0) await redis.del(...keys);
    })
    .catch(() => undefined);
  redis.disconnect();
  await deleteStreams(prefix).catch(() => undefined);
  await database?.drop();
});

describe("SEARCH_CONFIG", () => {
  it("rebuilds the search data at start when the configuration changed", async () => {
    const english = await createCatalog(config("english"), { logger });
    await english.db.execute(
      `insert into products (id, slug, name, state, version, create_time, update_time)
       values ('0190f3a4-7b2c-7d3e-8f40-123456789abc', 'running-shoes', 'Running Shoes', 'draft', 1, now(), now())`,
    );
    await english.store.reindexStale();
    const vector = async (catalog: typeof english) =>
      (
        await catalog.db.execute<{ v: string; c: string }>(
          "select search_vector::text as v, search_config as c from products",
        )
      )[0];
    expect(await vector(english)).toEqual({ v: "'run':1A 'shoe':2A", c: "english" });
    await english.close(100);

    const simple = await createCatalog(config("simple"), { logger });
    expect(await vector(simple)).toEqual({ v: "'running':1A 'shoes':2A", c: "simple" });
    await simple.close(100);
  });

  it("refuses to start with a configuration PostgreSQL does not know, naming the setting", async () => {
    await expect(createCatalog(config("klingon"), { logger })).rejects.toThrow(/SEARCH_CONFIG: klingon/);
  });
});
