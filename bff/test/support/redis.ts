import { once } from "node:events";
import { createRedis, Redis } from "@shopmesh/kit/redis";
import { deleteRedisPrefix, testPrefix } from "@shopmesh/kit/testing";

export interface TestRedis {
  redis: Redis;
  /** This test file's own key prefix, e.g. "t3f9a1cx:". */
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
      await deleteRedisPrefix(prefix, redis);
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
