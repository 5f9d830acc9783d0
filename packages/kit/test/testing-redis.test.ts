import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, type Redis } from "../src/redis/index.ts";
import { deleteRedisPrefix, isTestRedisKey, testPrefix, testRedisUrl } from "../src/testing/index.ts";

describe("deleteRedisPrefix", () => {
  let redis: Redis;
  const prefix = testPrefix();
  const other = testPrefix();

  beforeAll(async () => {
    redis = createRedis({ url: testRedisUrl() });
    if (redis.status !== "ready") await once(redis, "ready");
  });

  afterAll(async () => {
    await deleteRedisPrefix(`${prefix}:`, redis);
    await deleteRedisPrefix(`${other}:`, redis);
    redis.disconnect();
  });

  it("deletes every key under the prefix, past one SCAN batch, and nothing else", async () => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2_500; i++) pipeline.set(`${prefix}:cart:user:${i}`, "x");
    pipeline.set(`${prefix}:catalog:gen`, "7");
    pipeline.set(`${other}:cart:user:1`, "kept");
    pipeline.set(`${prefix}x:not-mine`, "kept");
    await pipeline.exec();

    expect(await deleteRedisPrefix(`${prefix}:`)).toBe(2_501);

    expect(await redis.exists(`${prefix}:cart:user:0`, `${prefix}:catalog:gen`)).toBe(0);
    expect(await redis.get(`${other}:cart:user:1`)).toBe("kept");
    expect(await redis.get(`${prefix}x:not-mine`)).toBe("kept");
    await redis.del(`${prefix}x:not-mine`, `${other}:cart:user:1`);
  });

  it("deletes only under a narrower prefix when given one", async () => {
    await redis.set(`${other}:cart:guest:1`, "x");
    await redis.set(`${other}:rl:ip`, "kept");

    expect(await deleteRedisPrefix(`${other}:cart:`, redis)).toBe(1);

    expect(await redis.get(`${other}:rl:ip`)).toBe("kept");
  });

  it("refuses prefixes that are not test prefixes, and clients that prefix keys themselves", async () => {
    await expect(deleteRedisPrefix("shopmesh:")).rejects.toThrow("does not start with a test prefix");
    await expect(deleteRedisPrefix(prefix)).rejects.toThrow("does not start with a test prefix");
    await expect(deleteRedisPrefix("")).rejects.toThrow("does not start with a test prefix");
    const prefixed = createRedis({ url: testRedisUrl(), keyPrefix: `${prefix}:cart:` });
    try {
      await expect(deleteRedisPrefix(`${prefix}:`, prefixed)).rejects.toThrow("keyPrefix");
    } finally {
      prefixed.disconnect();
    }
  });

  it("recognises test keys by their first segment", () => {
    expect(isTestRedisKey("tzxahto8:cart:user:1")).toBe(true);
    expect(isTestRedisKey("shopmesh:cart:user:1")).toBe(false);
    expect(isTestRedisKey("tzxahto8x:cart")).toBe(false);
    expect(isTestRedisKey("bench1234:cart")).toBe(false);
  });
});
