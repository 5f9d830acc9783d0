import { once } from "node:events";
import { createRedis, Redis } from "@shopmesh/kit/redis";
import { testPrefix } from "@shopmesh/kit/testing";

export interface TestRedis {
  redis: Redis;
  /** This test file's own key prefix, e.g. "t3f9a1c:". */
  prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

/** A connected client of the local Redis (the kit's fail-fast client) and a key prefix of its own. */
export async function connectTestRedis(): Promise<TestRedis> {
  const redis = createRedis({ url: "redis://127.0.0.1:6379" });
  if (redis.status !== "ready") await once(redis, "ready");
  const prefix = `${testPrefix()}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      redis.disconnect();
    },
  };
}

/** A client of a port nothing listens on: every command fails at once, as when Redis is down. */
export function deadRedis(): Redis {
  const redis = new Redis({
    host: "127.0.0.1",
    port: 1,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  return redis;
}
