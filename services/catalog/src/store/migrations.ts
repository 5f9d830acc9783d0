import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** Unique constraints whose violation a client can cause; each maps to ALREADY_EXISTS. */
export const PRODUCTS_SLUG_CONSTRAINT = "products_slug_key";
export const VARIANTS_SKU_CONSTRAINT = "variants_sku_key";
export const CATEGORIES_SLUG_CONSTRAINT = "categories_slug_key";

/**
 * The catalog schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 *
 * Besides what clients write, products carry columns the store derives from the product, its
 * variants and its categories in the same transaction as every change (store/derived.ts):
 * the weighted search vector, the "from" price, the SKUs, the attribute pairs and the category
 * ids (with ancestors) that filters and facets use.
 */
export const CATALOG_MIGRATIONS: readonly Migration[] = [
  {
    name: "catalog.0001_initial",
    up: [
      // Trigram similarity (typo-tolerant names, typeahead). In public, so it is installed once
      // per database whichever service asks first, and found through search_path.
      "create extension if not exists pg_trgm with schema public",

      `create table categories (
         id uuid primary key,
         parent_id uuid references categories (id),
         name text not null,
         slug text not null constraint ${CATEGORIES_SLUG_CONSTRAINT} unique,
         description text not null default '',
         position integer not null default 0,
         depth integer not null,
         path text not null,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      "create index categories_parent_idx on categories (parent_id, position, name)",
      // Subtrees are path prefixes: path like '<path>%'.
      "create index categories_path_idx on categories (path text_pattern_ops)",

      `create table products (
         id uuid primary key,
         slug text not null constraint ${PRODUCTS_SLUG_CONSTRAINT} unique,
         name text not null,
         description text not null default '',
         state text not null
           constraint products_state_check check (state in ('draft', 'active', 'archived')),
         category_ids uuid[] not null default '{}',
         attributes jsonb not null default '[]',
         images jsonb not null default '[]',
         version bigint not null,
         create_time timestamptz not null,
         update_time timestamptz not null,
         -- derived (store/derived.ts)
         search_config text not null default '',
         search_vector tsvector not null default ''::tsvector,
         price_min bigint,
         price_max bigint,
         skus text[] not null default '{}',
         facet_keys text[] not null default '{}',
         category_tree_ids uuid[] not null default '{}'
       )`,
      "create index products_state_create_time_idx on products (state, create_time desc, id)",
      "create index products_category_ids_idx on products using gin (category_ids)",
      "create index products_search_vector_idx on products using gin (search_vector)",
      "create index products_name_trgm_idx on products using gin (name gin_trgm_ops)",
      "create index products_facet_keys_idx on products using gin (facet_keys)",
      "create index products_category_tree_ids_idx on products using gin (category_tree_ids)",
      "create index products_state_price_idx on products (state, price_min, id)",

      `create table variants (
         id uuid primary key,
         product_id uuid not null references products (id) on delete cascade,
         sku text not null,
         title text not null default '',
         option_values jsonb not null default '{}',
         price_minor bigint not null constraint variants_price_check check (price_minor >= 0),
         currency text not null,
         weight_grams integer not null default 0,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      // SKUs are unique whatever their case: "tee-m" and "TEE-M" would be one item in a warehouse.
      `create unique index ${VARIANTS_SKU_CONSTRAINT} on variants (upper(sku))`,
      "create index variants_sku_idx on variants (sku)",
      "create index variants_product_idx on variants (product_id, id)",
    ],
  },
  {
    name: "catalog.0002_availability",
    up: [
      // catalog's projection of inventory's availability (store/availability.ts): the absolute
      // units available per SKU over all active warehouses, as last read from inventory.
      `create table sku_availability (
         sku text primary key,
         available bigint not null default 0,
         update_time timestamptz not null default now()
       )`,
      // Derived: some variant's SKU has available > 0 (store/derived.ts, store/availability.ts).
      "alter table products add column in_stock boolean not null default false",
    ],
  },
  {
    name: "catalog.0003_availability_dirty",
    up: [
      // SKUs an inventory event touched, waiting for the flusher to read them again from inventory
      // (store/availability.ts, availability-flusher.ts). Append-only, one row per mark: events of
      // one hot SKU never contend for a row. A flush deletes per SKU the marks up to the seq it read.
      `create table availability_dirty (
         seq bigserial primary key,
         sku text not null
       )`,
      "create index availability_dirty_sku_idx on availability_dirty (sku, seq)",
    ],
  },
  {
    name: "catalog.0004_search_words",
    up: [
      // The vocabulary misspelt search words are corrected against (store/derived.ts,
      // store/search.ts), with a trigram index for finding the close words.
      "create table search_words (word text primary key)",
      "create index search_words_trgm_idx on search_words using gin (word gin_trgm_ops)",
      // the words of the products there are (derived.ts keeps adding those of every change)
      `insert into search_words (word)
       select distinct w
       from products p,
         regexp_split_to_table(lower(p.name || ' ' || array_to_string(p.facet_keys, ' ')), '[^[:alnum:]]+') w
       where length(w) between 3 and 40
       on conflict do nothing`,
    ],
  },
];

/** What createDb applies for catalog: the kit's outbox and inbox, then the catalog schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...CATALOG_MIGRATIONS];
