import { createHash } from "node:crypto";
import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { type Product, ProductSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
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
 *   bumps the generation, so no stale page is read again; old ones expire.
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
  /** The cached answer of `name` for the current generation, else computes and caches it. */
  cached<S extends DescMessage>(
    name: string,
    schema: S,
    compute: () => Promise<MessageShape<S>>,
  ): Promise<MessageShape<S>>;
  /** Drops what a committed change affects. */
  invalidate(changes: CatalogChanges): Promise<void>;
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

    async cached(name, schema, compute) {
      const generation = await attempt(() => redis.get(GENERATION));
      if (generation === undefined) return compute();
      const key = `q:${generation ?? "0"}:${createHash("sha256").update(name).digest("base64url").slice(0, 32)}`;
      const bytes = await attempt(() => redis.getBuffer(key));
      if (bytes && bytes.length > 0) {
        try {
          return fromBinary(schema, bytes);
        } catch {
          // A message of an older shape: compute it again.
        }
      }
      const value = await compute();
      void attempt(() => redis.set(key, Buffer.from(toBinary(schema, value)), "EX", options.queryTtlSeconds));
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
      await attempt(() => pipeline.exec());
    },
  };
}
