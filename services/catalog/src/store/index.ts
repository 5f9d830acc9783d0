import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta } from "@shopmesh/kit/events";
import type { SearchQuery } from "../domain/search.ts";
import type { RecordEvents } from "../events.ts";
import { type CategoryRepository, createCategoryRepository } from "./categories.ts";
import { refreshProductsUnder, refreshStaleConfig } from "./derived.ts";
import { createProductRepository, type ProductRepository } from "./products.ts";
import {
  runSearch,
  runSuggest,
  type SearchRows,
  type SearchSqlOptions,
  type SuggestionRow,
} from "./search.ts";
import { emSql, poolSql, type Sql } from "./sql.ts";
import { type VariantSummaryRow, variantSummaries } from "./variant-summaries.ts";

export type { CategoryLockOption } from "./categories.ts";
export { CATALOG_ENTITIES } from "./entities.ts";
export { CATALOG_MIGRATIONS, MIGRATIONS } from "./migrations.ts";
export type { LockOption, ProductListFilter } from "./products.ts";
export type { SearchCursor, SearchRows, SuggestionRow } from "./search.ts";
export type { VariantSummaryRow } from "./variant-summaries.ts";

/** The repositories of the catalog, bound to one EntityManager. */
export interface Repositories {
  products: ProductRepository;
  categories: CategoryRepository;
}

/** What a committed transaction changed, for the cache to drop. */
export interface CatalogChanges {
  /** Products whose reads changed, with their version after the change. */
  products: Map<string, number>;
  /** Slugs that named a changed product before or after the change. */
  slugs: Set<string>;
  /** Whether anything changed at all (search results and the category tree may have). */
  any: boolean;
}

/** The repositories inside a transaction, plus its outbox and change log. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
  /** Notes a changed product (its new version, its old and new slugs) for the cache, dropped after commit. */
  touchProduct(id: string, version: number, ...slugs: string[]): void;
  /** Notes a change that affects search results or categories but no product read. */
  touch(): void;
  /** Recomputes the search data of the products in the category subtree at `path`. */
  refreshProductsUnder(path: string): Promise<void>;
}

export interface CatalogStore {
  /** Repositories for reads outside a transaction. */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction: row locks hold until it ends, and a throw rolls back every
   * write and recorded event. After commit, `afterCommit` hears what changed.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  search(query: SearchQuery, options: Omit<SearchSqlOptions, "config">): Promise<SearchRows>;
  suggest(query: { text: string; prefix: string; limit: number }): Promise<SuggestionRow[]>;
  variantSummaries(skus: readonly string[]): Promise<VariantSummaryRow[]>;
  /** Rebuilds the search data of products indexed with another SEARCH_CONFIG; run at start. */
  reindexStale(): Promise<void>;
}

export interface CatalogStoreOptions {
  db: Db;
  recordEvents: RecordEvents;
  /** The text search configuration of product search (config SEARCH_CONFIG). */
  searchConfig: string;
  /** Hears what each committed transaction changed (the cache drops it). */
  afterCommit?: (changes: CatalogChanges) => Promise<void>;
}

export async function createCatalogStore(options: CatalogStoreOptions): Promise<CatalogStore> {
  const { db, recordEvents, searchConfig } = options;
  // Fails at start, naming the setting, when PostgreSQL does not know the configuration.
  await db.execute("select cast(? as regconfig)", [searchConfig]).catch((error: unknown) => {
    throw new Error(`SEARCH_CONFIG: ${searchConfig} is not a text search configuration of PostgreSQL`, {
      cause: error,
    });
  });
  const pool = poolSql(await db.pool());
  const repositories = (em: EntityManager, sql: Sql): Repositories => ({
    products: createProductRepository(em, sql, searchConfig),
    categories: createCategoryRepository(em, sql, db.schema),
  });

  return {
    read: () => repositories(db.em(), pool),
    async transaction(fn) {
      const changes: CatalogChanges = { products: new Map(), slugs: new Set(), any: false };
      const result = await db.transaction((em) => {
        const sql = emSql(em);
        return fn({
          ...repositories(em, sql),
          record: (events, meta) => recordEvents(em, events, meta),
          touchProduct(id, version, ...slugs) {
            changes.any = true;
            changes.products.set(id, version);
            for (const slug of slugs) changes.slugs.add(slug);
          },
          touch() {
            changes.any = true;
          },
          refreshProductsUnder: (path) => refreshProductsUnder(sql, searchConfig, path),
        });
      });
      if (changes.any) await options.afterCommit?.(changes);
      return result;
    },
    search: (query, searchOptions) => runSearch(pool, query, { ...searchOptions, config: searchConfig }),
    suggest: (query) => runSuggest(pool, { ...query, config: searchConfig }),
    variantSummaries: (skus) => variantSummaries(pool, skus),
    reindexStale: () => refreshStaleConfig(emSql(db.em()), searchConfig),
  };
}
