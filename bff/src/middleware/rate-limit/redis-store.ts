import { createHash } from "node:crypto";
import type { ClientRateLimitInfo, HonoConfigType, Store } from "hono-rate-limiter";
import type { Redis } from "ioredis";

/**
 * Fixed window counter: INCR and, on the window's first hit (or a key that somehow lost its TTL),
 * PEXPIRE, in one script so concurrent requests and BFF replicas never see a counter without
 * an expiry. Returns the hits and the milliseconds left in the window.
 */
const INCREMENT = `
local hits = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }
`;
const INCREMENT_SHA = createHash("sha1").update(INCREMENT).digest("hex");

/** Never below zero, never touching the expiry (a late decrement must not make a TTL-less key). */
const DECREMENT = `
local hits = tonumber(redis.call("GET", KEYS[1]))
if hits and hits > 0 then redis.call("DECR", KEYS[1]) end
return 0
`;

/** Thrown when Redis did not answer: the middleware decides whether that fails open or closed. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`rate-limit store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "StoreUnavailableError";
  }
}

export interface RedisStoreOptions {
  redis: Redis;
  /** Prepended to every key, e.g. "shopmesh:bff:rl:auth:". */
  prefix: string;
  /** A Redis call slower than this counts as Redis being down. Default 250 ms. */
  timeoutMs?: number;
}

/**
 * A hono-rate-limiter Store on Redis, shared by every BFF replica. Any Redis failure or timeout
 * surfaces as StoreUnavailableError.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { redis, prefix } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  let windowMs = 60_000;

  async function call<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw new StoreUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async function increment(key: string): Promise<[number, number]> {
    try {
      return (await redis.evalsha(INCREMENT_SHA, 1, key, windowMs)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return (await redis.eval(INCREMENT, 1, key, windowMs)) as [number, number];
    }
  }

  return {
    prefix,
    localKeys: false,
    init(config: HonoConfigType) {
      windowMs = config.windowMs;
    },
    async increment(key): Promise<ClientRateLimitInfo> {
      const [hits, ttl] = await call(() => increment(prefix + key));
      return { totalHits: Number(hits), resetTime: new Date(Date.now() + Number(ttl)) };
    },
    async get(key): Promise<ClientRateLimitInfo | undefined> {
      const [hits, ttl] = await call(async () => {
        const replies = await redis
          .multi()
          .get(prefix + key)
          .pttl(prefix + key)
          .exec();
        return [replies?.[0]?.[1], replies?.[1]?.[1]] as [string | null, number];
      });
      if (hits === null) return undefined;
      return { totalHits: Number(hits), resetTime: new Date(Date.now() + Math.max(0, ttl)) };
    },
    async decrement(key) {
      await call(() => redis.eval(DECREMENT, 1, prefix + key));
    },
    async resetKey(key) {
      await call(() => redis.del(prefix + key));
    },
  };
}
