import { createRecentKeys } from "@shopmesh/kit/admission";
import type { Logger } from "@shopmesh/kit/log";
import type { Context } from "hono";
import type { Redis } from "ioredis";
import type { BffDeps } from "../../deps.ts";
import { weakEtag } from "./http-cache.ts";

/** A public catalog answer as it went out: the JSON text once, and its ETag. */
export interface CachedAnswer {
  body: string;
  etag: string;
}

/**
 * The BFF's in-memory cache of public catalog answers (products, search pages, the category
 * tree, suggestions), so a hot read costs neither a gRPC call, nor mapping, nor serialising.
 *
 * It is only used while it follows the catalog: the catalog announces every change on a Redis
 * pub/sub channel (its CHANGES_CHANNEL), and any message empties the cache. While that
 * subscription is down (Redis down, reconnecting) the cache is bypassed, and when it comes back
 * the cache starts empty, since messages may have been missed. An answer computed while a change
 * arrived is not stored (`ticket`). Entries also expire after `ttlMs`, which bounds staleness
 * should a message be lost. Catalog writes made through this BFF empty it at once, so an admin
 * reads their own write.
 */
export interface CatalogResponseCache {
  /** The answer stored under `key`, when the cache is in use and it is fresh. */
  get(key: string): CachedAnswer | undefined;
  /** Taken before computing an answer; `set` stores it only if nothing changed since. */
  ticket(): number;
  /**
   * Stores an answer computed under `ticket` and returns it, with its ETag when `etag` is set
   * (reads of one thing; searches go without). With `admit: "repeated"` an answer is only kept
   * when its key was asked for before (of the last 10,000 keys): a search made once does not
   * push hot answers out.
   */
  set(
    key: string,
    ticket: number,
    body: string,
    options?: { etag?: boolean; admit?: "always" | "repeated" },
  ): CachedAnswer;
  /** Drops every answer (a catalog change). */
  clear(): void;
  /** Whether answers are being served from memory now. */
  readonly active: boolean;
}

export interface CatalogResponseCacheOptions {
  /** The BFF's Redis client: the subscription runs on a duplicate of it, closed with it. */
  redis: Redis;
  channel: string;
  /** 0 turns the cache off. */
  ttlMs: number;
  maxEntries: number;
  logger: Logger;
}

interface Entry extends CachedAnswer {
  expiresAt: number;
}

/** Keys remembered for admission: enough to see a repeat among the searches of a busy minute. */
const ADMISSION_KEYS = 10_000;

export function createCatalogResponseCache(options: CatalogResponseCacheOptions): CatalogResponseCache {
  const { ttlMs, maxEntries } = options;
  const entries = new Map<string, Entry>();
  const recent = createRecentKeys(ADMISSION_KEYS);
  let epoch = 0;
  let following = false;
  const clear = () => {
    epoch++;
    entries.clear();
  };

  if (ttlMs > 0 && typeof options.redis.duplicate === "function") {
    const log = options.logger.child({ component: "catalog-response-cache" });
    // Unlike the BFF's fail-fast client, the subscription waits for Redis (it is no request's).
    const subscriber = options.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    const stop = () => {
      following = false;
      clear();
    };
    subscriber.on("error", (err) => log.debug({ err }, "catalog changes subscription error"));
    subscriber.on("close", stop);
    subscriber.on("message", (channel) => {
      if (channel === options.channel) clear();
    });
    // After a reconnect ioredis subscribes again before "ready": start from empty.
    subscriber.on("ready", () => {
      if (subscribed) {
        clear();
        following = true;
      }
    });
    let subscribed = false;
    subscriber
      .subscribe(options.channel)
      .then(() => {
        subscribed = true;
        clear();
        following = subscriber.status === "ready";
      })
      .catch((err: unknown) => log.warn({ err }, "cannot follow catalog changes; not caching"));
    options.redis.once("end", () => {
      stop();
      subscriber.disconnect();
    });
  }

  return {
    get(key) {
      if (!following) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry;
    },
    ticket: () => epoch,
    set(key, ticket, body, setOptions = {}) {
      const answer = { body, etag: setOptions.etag === false ? "" : weakEtag(body) };
      if (!following || ticket !== epoch) return answer;
      if (setOptions.admit === "repeated" && !recent.askedBefore(key)) return answer;
      if (entries.size >= maxEntries && !entries.has(key)) {
        // The oldest entry goes first (Map keeps insertion order).
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { ...answer, expiresAt: Date.now() + ttlMs });
      return answer;
    },
    clear,
    get active() {
      return following;
    },
  };
}

const caches = new WeakMap<BffDeps, CatalogResponseCache>();

/** The one cache of a BFF (shared by its web and mobile routes, emptied by its admin routes). */
export function catalogResponseCache(deps: BffDeps): CatalogResponseCache {
  let cache = caches.get(deps);
  if (!cache) {
    cache = createCatalogResponseCache({
      redis: deps.redis,
      channel: deps.config.CATALOG_CHANGES_CHANNEL,
      ttlMs: deps.config.CATALOG_CACHE_TTL_MS,
      maxEntries: deps.config.CATALOG_CACHE_ENTRIES,
      logger: deps.logger,
    });
    caches.set(deps, cache);
  }
  return cache;
}

/**
 * Whether the catalog answers this caller as it answers anyone: only staff with catalog.write
 * see drafts and archived products (catalog's rpc/access.ts).
 */
export function sharedAnswer(c: Context): boolean {
  const principal = c.get("principal");
  return !(principal?.kind === "user" && principal.permissions.has("catalog.write"));
}

/** The cache key of a request: the card style (web or mobile shape), the path and the raw query. */
export function answerKey(c: Context, style: string): string {
  const url = c.req.url;
  const query = url.indexOf("?");
  return `${style} ${c.req.path}${query >= 0 ? url.slice(query) : ""}`;
}
