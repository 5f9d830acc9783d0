import { once } from "node:events";
import { createRedis } from "@shopmesh/kit/redis";
import { createTestDatabase, deleteRedisPrefix, testPrefix, testRedisUrl } from "@shopmesh/kit/testing";
import { describe, expect, it } from "vitest";
import { describeLeftovers, isTestStream, listLeftovers, newLeftovers, streamPrefix } from "./leftovers.ts";

describe("leftovers", () => {
  it("takes only streams of test prefixes, never a platform's or a benchmark's", () => {
    expect(isTestStream("TZXAHTO8_CART")).toBe(true);
    expect(isTestStream("T3F9A1CX_DLQ")).toBe(true);
    expect(streamPrefix("TZXAHTO8_CART")).toBe("tzxahto8");
    for (const name of [
      "SHOPMESH_CART",
      "BENCH2B89EB6B_ORDER",
      "TEST_CART",
      "TZXAHTO8X_CART",
      "tzxahto8_CART",
      "KV_x",
    ]) {
      expect(isTestStream(name), name).toBe(false);
    }
  });

  it("finds a test database and the keys of a test prefix, and reports what is new since a snapshot", async () => {
    const before = await listLeftovers();
    const database = await createTestDatabase();
    const prefix = testPrefix();
    const redis = createRedis({ url: testRedisUrl() });
    if (redis.status !== "ready") await once(redis, "ready");
    try {
      await redis.set(`${prefix}:cart:user:1`, "x");
      await redis.set(`${prefix}:cart:user:2`, "x");
      await redis.set(`shopmesh:${prefix}:cart:user:3`, "not a test key");
      const after = await listLeftovers();
      const made = newLeftovers(before, after);

      expect(made.databases).toContain(database.name);
      expect(made.redis.get(prefix)).toEqual(new Map([["cart:user", 2]]));
      expect(describeLeftovers(made)).toContain(`${prefix}: redis cart:user×2`);
    } finally {
      await redis.del(`shopmesh:${prefix}:cart:user:3`);
      await deleteRedisPrefix(`${prefix}:`, redis);
      redis.disconnect();
      await database.drop();
    }
  });
});
