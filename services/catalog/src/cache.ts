import { createHash } from "node:crypto";
import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { type Product, ProductSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createRecentKeys } from "@shopmesh/kit/admission";
import type { Logger } from "@shopmesh/kit/log";
import type { Redis } from "@shopmesh/kit/redis";
import type { CatalogChanges } from "./store/index.ts";

/**
 * The Redis cache of catalog reads. Redis is an optimisation only: every failure (down, slow,
 * refusing) is a miss, and the answer comes from PostgreSQL.
 *
 * - Products (any state; visibility is decided per caller after the read) under
 *   `p:id:<id>` and `p:slug:<slug>`, as Product protobuf bytes.
 * - Search pages and the category tree under `q:<generation>:<hash>`. Every committed change
 *   bumps the generation, so no stale page is read again; old ones expire. The new generation
 *   is published on the changes channel for caches in front of the catalog.
 *
 * The hottest pages are also kept decoded in memory under their Redis key: the key holds the
 * generation, so a change makes them unreachable at once, and each expires with its Redis TTL.
 *
 * Search pages are admitted only on their second request (`admission: "repeated"`): most
 * searches are asked once, and caching those costs a Redis write (and memory) for nothing. A
 * bounded in-memory record of the keys asked recently (their hashes, least recently asked
 * forgotten first) lets a key through once it comes back; until then its requests touch
 * neither Redis nor the memory cache. Each replica keeps its own record, so a key another
 * replica cached is read from Redis here from its second request on.
 *
 * A change records its product's new version as a floor (`p:v:<id>`) and deletes the product's
 * entries; a read stores what it fetched only when its version is not below the floor (one Lua
 * script, atomic in Redis), so a read that fetched the old row just before the change committed
 * cannot put it back.
 */
export interface CatalogCache {
  product(key: { id: string } | { slug: string }): Promise<Product | undefined>;
  /** Caches a product just read from the database, unless it changed a moment ago. */
  storeProduct(product: Product): Promise<void>;
  /**
   * The cached answer of `name` for the current generation, else computes it and caches it as
   * `options` say.
   */
  cached<S extends DescMessage>(
    name: string,
    schema: S,
    compute: () => Promise<MessageShape<S>>,
    options?: CachedOptions,
  ): Promise<MessageShape<S>>;
  /**
   * Drops what a committed change affects, then announces the new generation on the changes
   * channel, so caches in front of the catalog (the BFF's) drop theirs too.
   */
  invalidate(changes: CatalogChanges): Promise<void>;
}

/** How `cached` keeps what it computes. */
export interface CachedOptions {
  /** How long the answer stays cached; default the option queryTtlSeconds. */
  ttlSeconds?: number;
  /**
   * `always` (the default) caches every answer computed; `repeated` only the answer of a name
   * asked before recently (see admissionEntries): a name asked once costs no cache work at all.
   */
  admission?: "always" | "repeated";
}

export interface CatalogCacheOptions {
  redis: Redis;
  logger: Logger;
  /** How long a product stays cached. */
  productTtlSeconds: number;
  /** How long a search page or the category tree stays cached. */
  queryTtlSeconds: number;
  /** How long a Redis command may take before it counts as a miss. Default 250 ms. */
  timeoutMs?: number;
  /**
   * The Redis pub/sub channel every invalidation is announced on (config CHANGES_CHANNEL), with
   * the new generation as the message. Channels are not prefixed by the client's keyPrefix.
   */
  changesChannel?: string;
  /** Decoded search pages kept in memory as well (the hottest ones). Default 256. */
  memoryEntries?: number;
  /**
   * How many recently asked names `admission: "repeated"` remembers (as 32-character hashes,
   * about 100 bytes each). Default 10,000; 0 admits every answer.
   */
  admissionEntries?: number;
}

const GENERATION = "gen";

/** KEYS: floor, by id, by slug; ARGV: version, ttl seconds, bytes. */
const STORE_PRODUCT = `
local floor = redis.call('GET', KEYS[1])
if floor and tonumber(floor) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[2])
return 1`;

export function createCatalogCache(options: CatalogCacheOptions): CatalogCache {
  const { redis, logger } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  const memoryEntries = options.memoryEntries ?? 256;
  const memory = new Map<string, { value: unknown; expiresAt: number }>();
  const remember = (key: string, value: unknown, ttlSeconds: number) => {
    if (memoryEntries <= 0) return;
    // The oldest entry goes first (Map keeps insertion order).
    if (memory.size >= memoryEntries) memory.delete(memory.keys().next().value as string);
    memory.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  };
  const asked = createRecentKeys(options.admissionEntries ?? 10_000);
  let lastWarning = 0;

  /** The command's result, or undefined when Redis failed or took too long. */
  async function attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`redis did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      // Once a minute is enough to say the cache is off; every request would say it otherwise.
      if (Date.now() - lastWarning > 60_000) {
        lastWarning = Date.now();
        logger.warn({ err: error }, "catalog cache unavailable; reading from the database");
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  const productKey = (key: { id: string } | { slug: string }) =>
    "id" in key ? `p:id:${key.id}` : `p:slug:${key.slug}`;

  return {
    async product(key) {
      const bytes = await attempt(() => redis.getBuffer(productKey(key)));
      if (!bytes) return undefined;
      try {
        return fromBinary(ProductSchema, bytes);
      } catch {
        return undefined;
      }
    },

    async storeProduct(product) {
      const bytes = Buffer.from(toBinary(ProductSchema, product));
      await attempt(() =>
        redis.eval(
          STORE_PRODUCT,
          3,
          `p:v:${product.id}`,
          productKey({ id: product.id }),
          productKey({ slug: product.slug }),
          product.version.toString(),
          options.productTtlSeconds,
          bytes,
        ),
      );
    },

    async cached<S extends DescMessage>(
      name: string,
      schema: S,
      compute: () => Promise<MessageShape<S>>,
      cachedOptions: CachedOptions = {},
    ): Promise<MessageShape<S>> {
      const ttlSeconds = cachedOptions.ttlSeconds ?? options.queryTtlSeconds;
      const hash = createHash("sha256").update(name).digest("base64url").slice(0, 32);
      // A name not asked here recently is answered without a cache command: the cache almost
      // surely holds nothing for it (another replica's page is read from its second request).
      if (cachedOptions.admission === "repeated" && !asked.askedBefore(hash)) {
        return compute();
      }
      const generation = await attempt(() => redis.get(GENERATION));
      if (generation === undefined) return compute();
      const key = `q:${generation ?? "0"}:${hash}`;
      const kept = memory.get(key);
      if (kept && kept.expiresAt > Date.now()) return kept.value as MessageShape<S>;
      const bytes = await attempt(() => redis.getBuffer(key));
      if (bytes && bytes.length > 0) {
        try {
          const value = fromBinary(schema, bytes) as MessageShape<S>;
          // Kept for a share of the TTL only: Redis does not say how much of it is left.
          remember(key, value, Math.min(ttlSeconds, 5));
          return value;
        } catch {
          // A message of an older shape: compute it again.
        }
      }
      const value = await compute();
      remember(key, value, ttlSeconds);
      void attempt(() => redis.set(key, Buffer.from(toBinary(schema, value)), "EX", ttlSeconds));
      return value;
    },

    async invalidate(changes) {
      const pipeline = redis.pipeline();
      for (const [id, version] of changes.products) {
        // The floor outlives every entry stored before it.
        pipeline.set(`p:v:${id}`, String(version), "EX", options.productTtlSeconds + 60);
        pipeline.del(productKey({ id }));
      }
      for (const slug of changes.slugs) pipeline.del(productKey({ slug }));
      pipeline.incr(GENERATION);
      const results = await attempt(() => pipeline.exec());
      const generation = results?.at(-1)?.[1];
      if (options.changesChannel) {
        // Published even when the INCR failed: listeners drop everything on any message.
        await attempt(() => redis.publish(options.changesChannel as string, String(generation ?? "")));
      }
    },
  };
}
