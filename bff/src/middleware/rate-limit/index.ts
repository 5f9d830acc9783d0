import type { Logger } from "@shopmesh/kit/log";
import type { Context, MiddlewareHandler } from "hono";
import { rateLimiter } from "hono-rate-limiter";
import type { Redis } from "ioredis";
import { ProblemError } from "../../errors/index.ts";
import { byUserOrIp } from "./client-key.ts";
import { createRedisStore, StoreUnavailableError } from "./redis-store.ts";

export { addressKey, byClientIp, byUserOrIp } from "./client-key.ts";
export { createRedisStore, type RedisStoreOptions, StoreUnavailableError } from "./redis-store.ts";

export interface RateLimitOptions {
  redis: Redis;
  /** Names the limit in Redis keys ("api", "auth"); limits with different names count apart. */
  name: string;
  /** Requests allowed per window and key. */
  limit: number;
  windowMs: number;
  /** Redis key prefix. Default "shopmesh:bff:rl:". */
  prefix?: string;
  /** Who is counted. Default: the signed-in user, else the client address. */
  key?: (c: Context) => string;
  /**
   * What happens while Redis is down. "open" (default) lets requests through, logging a warning
   * at most every 10 s: a Redis outage must not take the whole API down. "closed" refuses with
   * 503 — for the auth routes, where the limit is the defence against password guessing and
   * credential stuffing across accounts, which identity's per-account lockout does not stop.
   */
  onStoreError?: "open" | "closed";
  /** Redis calls slower than this count as Redis being down. Default 250 ms. */
  timeoutMs?: number;
  logger?: Logger;
}

const WARN_EVERY_MS = 10_000;

/**
 * A Redis-backed fixed-window rate limit (hono-rate-limiter with a Redis store shared by all
 * replicas). Every response carries the draft-7 `RateLimit` and `RateLimit-Policy` headers; the
 * request over the limit gets a 429 problem (code RATE_LIMITED) with `Retry-After`.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const failClosed = options.onStoreError === "closed";
  let lastWarning = 0;
  const limiter = rateLimiter({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: "draft-7",
    keyGenerator: options.key ?? byUserOrIp,
    store: createRedisStore({
      redis: options.redis,
      prefix: `${options.prefix ?? "shopmesh:bff:rl:"}${options.name}:`,
      timeoutMs: options.timeoutMs ?? 250,
    }),
    handler: (c) => {
      const retryAfter = c.res.headers.get("Retry-After") ?? "1";
      throw new ProblemError({
        status: 429,
        code: "RATE_LIMITED",
        detail: `Too many requests; retry after ${retryAfter} seconds.`,
        headers: { "Retry-After": retryAfter },
      });
    },
  });
  return async function rateLimit(c, next) {
    try {
      return await limiter(c, next);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const log = c.get("log") ?? options.logger;
      if (failClosed) {
        log?.error({ err: error, limit: options.name }, "rate limit store unavailable; refusing");
        throw new ProblemError({
          status: 503,
          code: "UNAVAILABLE",
          detail: "This operation is temporarily unavailable; try again shortly.",
          headers: { "Retry-After": "5" },
        });
      }
      if (Date.now() - lastWarning > WARN_EVERY_MS) {
        lastWarning = Date.now();
        log?.warn({ err: error, limit: options.name }, "rate limit store unavailable; not limiting");
      }
      return next();
    }
  };
}
