import { Redis, type RedisOptions } from "ioredis";

export { Redis };

export interface RedisConfig {
  url: string;
  /** Prepended to every key (e.g. "shopmesh:cart:"); tests use their own. */
  keyPrefix?: string;
  /** Fail commands fast instead of queueing them while disconnected. Default true. */
  failFast?: boolean;
}

/**
 * Creates an ioredis client. By default commands fail at once while Redis is unreachable
 * (no offline queue), so callers can fall back (a cache miss, fail-open rate limit) instead of
 * hanging; reconnection goes on in the background with capped backoff.
 */
export function createRedis(config: RedisConfig): Redis {
  const failFast = config.failFast ?? true;
  const options: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 1 : 20,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
  if (config.keyPrefix) options.keyPrefix = config.keyPrefix;
  return new Redis(config.url, options);
}

/** True when Redis answers PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
    return answer === "PONG";
  } catch {
    return false;
  }
}
