import type { CatalogCache } from "../cache.ts";
import type { CatalogStore } from "../store/index.ts";

/** What the handlers work with. */
export interface CatalogDeps {
  store: CatalogStore;
  cache: CatalogCache;
  /** The catalog's currency (config CATALOG_CURRENCY): every price is in it. */
  currency: string;
  /** How long a page of an "in stock only" search stays cached at most (config IN_STOCK_CACHE_TTL_SECONDS). */
  inStockTtlSeconds: number;
}
