import { createHash } from "node:crypto";
import type { ClientRateLimitInfo, HonoConfigType, Store } from "hono-rate-limiter";
import type { Redis } from "ioredis";

/**
 * Fixed window counter: INCRBY (the lease, below) and, on the window's first hit (or a key that
 * somehow lost its TTL), PEXPIRE, in one script so concurrent requests and BFF replicas never see
 * a counter without an expiry. Returns the hits and the milliseconds left in the window.
 */
const INCREMENT = `
local hits = redis.call("INCRBY", KEYS[1], ARGV[2])
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
  /**
   * The most hits one lease may take at once. Default: a twentieth of the limit (at most 1,024),
   * so at most 5% of a window's allowance per replica can go unused; limits below 40 lease one
   * hit at a time, exactly as a counter per request would.
   */
  maxLease?: number;
}

/** Hits this replica took from the window's shared counter and has not handed out yet. */
interface Lease {
  /** The next hit number to hand out, and the last one taken. */
  next: number;
  last: number;
  /** When the window (the Redis key) ends, epoch ms. */
  resetAt: number;
  /** Leases taken in this window: each takes twice as many hits as the one before. */
  count: number;
  /** The lease being taken right now, which concurrent requests wait for. */
  pending?: Promise<void>;
}

/**
 * A hono-rate-limiter Store on Redis, shared by every BFF replica. Any Redis failure or timeout
 * surfaces as StoreUnavailableError.
 *
 * A client that keeps sending takes its hits from Redis in leases: INCRBY 1, then 2, 4, ... up to
 * `maxLease`, handing them out locally until they are used up, so a busy client costs one Redis
 * round trip per many requests instead of one per request. Hit numbers are unique over all
 * replicas (INCRBY hands out disjoint ranges), so more than the limit never gets through; a
 * lease's unused hits only make the limit a little stricter until the window ends. Once the
 * window's count has reached the limit, requests are refused without asking Redis again until
 * the window ends (a fixed window's count only grows).
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { redis, prefix } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  let windowMs = 60_000;
  let limit = Number.POSITIVE_INFINITY;
  let maxLease = 1;
  const leases = new Map<string, Lease>();
  let sweepAt = 0;

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

  async function increment(key: string, by: number): Promise<[number, number]> {
    try {
      return (await redis.evalsha(INCREMENT_SHA, 1, key, windowMs, by)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return (await redis.eval(INCREMENT, 1, key, windowMs, by)) as [number, number];
    }
  }

  /** Takes the next lease of `key` from Redis into `lease`. */
  async function renew(key: string, lease: Lease): Promise<void> {
    const size = Math.min(maxLease, 2 ** lease.count);
    const [hits, ttl] = await call(() => increment(prefix + key, size));
    const last = Number(hits);
    lease.next = last - size + 1;
    lease.last = last;
    lease.resetAt = Date.now() + Number(ttl);
    lease.count++;
  }

  /** Drops the leases of ended windows, at most once a second. */
  function sweep(now: number): void {
    if (now < sweepAt) return;
    sweepAt = now + 1_000;
    for (const [key, lease] of leases) if (lease.resetAt <= now && !lease.pending) leases.delete(key);
  }

  return {
    prefix,
    localKeys: false,
    init(config: HonoConfigType) {
      windowMs = config.windowMs;
      if (typeof config.limit === "number") limit = config.limit;
      maxLease = Math.max(1, options.maxLease ?? Math.min(1_024, Math.floor(limit / 20)));
    },
    async increment(key): Promise<ClientRateLimitInfo> {
      const now = Date.now();
      sweep(now);
      let lease = leases.get(key);
      if (lease && lease.resetAt <= now && !lease.pending) {
        leases.delete(key);
        lease = undefined;
      }
      if (!lease) {
        lease = { next: 1, last: 0, resetAt: 0, count: 0 };
        leases.set(key, lease);
      }
      for (;;) {
        if (lease.pending) {
          await lease.pending;
          continue;
        }
        if (lease.next <= lease.last) {
          return { totalHits: lease.next++, resetTime: new Date(lease.resetAt) };
        }
        // The window's count has reached the limit: it cannot fall before the window ends.
        if (lease.count > 0 && lease.last >= limit && lease.resetAt > Date.now()) {
          return { totalHits: lease.last + 1, resetTime: new Date(lease.resetAt) };
        }
        const current = lease;
        current.pending = renew(key, current).finally(() => {
          current.pending = undefined;
        });
        try {
          await current.pending;
        } catch (error) {
          if (leases.get(key) === current) leases.delete(key);
          throw error;
        }
      }
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
      leases.delete(key);
      await call(() => redis.del(prefix + key));
    },
  };
}
