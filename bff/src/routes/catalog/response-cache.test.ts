import { createLogger } from "@shopmesh/kit/log";
import { testPrefix, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestRedis, deadRedis, type TestRedis } from "../../../test/support/redis.ts";
import { type CatalogResponseCacheOptions, createCatalogResponseCache } from "./response-cache.ts";

let redisTest: TestRedis;
const logger = createLogger({ service: "bff", level: "silent" });

beforeAll(async () => {
  redisTest = await connectTestRedis();
});
afterAll(() => redisTest.cleanup());

/** A cache on a client of its own (closing it ends the subscription), following a channel of its own. */
async function following(options: Partial<CatalogResponseCacheOptions> = {}) {
  const client = redisTest.redis.duplicate();
  const channel = `${testPrefix()}:changes`;
  const cache = createCatalogResponseCache({
    redis: client,
    channel,
    ttlMs: 60_000,
    maxEntries: 100,
    logger,
    ...options,
  });
  await waitFor(() => cache.active, { message: "cache following the channel" });
  return { cache, channel, close: () => client.disconnect() };
}

describe("catalog response cache", () => {
  it("keeps answers with their ETag until the catalog announces a change", async () => {
    const { cache, channel, close } = await following();
    const stored = cache.set("web /api/v1/products/tee", cache.ticket(), '{"name":"Tee"}');
    expect(stored.etag).toMatch(/^W\/"/);
    expect(cache.get("web /api/v1/products/tee")).toMatchObject({
      body: '{"name":"Tee"}',
      etag: stored.etag,
    });

    await redisTest.redis.publish(channel, "42");
    await waitFor(() => cache.get("web /api/v1/products/tee") === undefined, { message: "emptied" });
    close();
  });

  it("does not keep an answer computed while a change arrived", async () => {
    const { cache, channel, close } = await following();
    const ticket = cache.ticket();
    await redisTest.redis.publish(channel, "43");
    await waitFor(() => cache.ticket() !== ticket, { message: "change heard" });
    cache.set("key", ticket, "{}");
    expect(cache.get("key")).toBeUndefined();
    close();
  });

  it("ignores other channels, expires answers and keeps a bounded number", async () => {
    const { cache, close } = await following({ ttlMs: 50, maxEntries: 2 });
    await redisTest.redis.publish(`${testPrefix()}:other`, "1");
    cache.set("a", cache.ticket(), "1");
    cache.set("b", cache.ticket(), "2");
    cache.set("c", cache.ticket(), "3");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")?.body).toBe("3");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.get("c")).toBeUndefined();
    close();
  });

  it("keeps an answer admitted on repeat only from its second time, and skips the ETag when asked", async () => {
    const { cache, close } = await following();
    const once = cache.set("web /api/v1/products?q=boots", cache.ticket(), "[1]", {
      etag: false,
      admit: "repeated",
    });
    expect(once).toEqual({ body: "[1]", etag: "" });
    expect(cache.get("web /api/v1/products?q=boots")).toBeUndefined();
    cache.set("web /api/v1/products?q=boots", cache.ticket(), "[1]", { etag: false, admit: "repeated" });
    expect(cache.get("web /api/v1/products?q=boots")?.body).toBe("[1]");
    close();
  });

  it("stops serving from memory when it cannot follow the catalog", async () => {
    const { cache, close } = await following();
    cache.set("a", cache.ticket(), "1");
    close();
    await waitFor(() => !cache.active, { message: "cache off after the connection closed" });
    expect(cache.get("a")).toBeUndefined();

    const dead = createCatalogResponseCache({
      redis: deadRedis(),
      channel: "x",
      ttlMs: 60_000,
      maxEntries: 10,
      logger,
    });
    dead.set("a", dead.ticket(), "1");
    expect(dead.active).toBe(false);
    expect(dead.get("a")).toBeUndefined();
  });
});
