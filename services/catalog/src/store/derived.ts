import { pgArray, type Sql } from "./sql.ts";

/**
 * The separator of an attribute's name and value in `facet_keys` ("brand\u001fAcme"): a control
 * character, which names and values can never hold.
 */
export const FACET_SEPARATOR = "\u001f";

/** The facet key of an attribute or option value. */
export function facetKey(name: string, value: string): string {
  return `${name}${FACET_SEPARATOR}${value}`;
}

/**
 * The words products are found by, for correcting misspelt search words (store/search.ts): every
 * word of 3 to 40 letters or digits of a product's name and its attribute and option values,
 * lower-cased. Words are only ever added (a renamed or archived product leaves its old words):
 * a correction to a word no product holds any more finds nothing through it, and a misspelt word
 * is tried as its three closest words, so a stale word rarely stands in for a live one.
 */
export const VOCABULARY_TABLE = "search_words";

/**
 * Adds the words of the rows of `source` (a table or CTE with the products' `name` and
 * `facet_keys`) to the vocabulary. In word order, so two transactions adding the same new words
 * wait for each other instead of deadlocking.
 */
export function vocabularyInsert(source: string): string {
  return `insert into ${VOCABULARY_TABLE} (word)
  select distinct w
  from ${source} s,
    regexp_split_to_table(lower(s.name || ' ' || array_to_string(s.facet_keys, ' ')), '[^[:alnum:]]+') w
  where length(w) between 3 and 40
  order by w
  on conflict do nothing`;
}

/** The words of a search query as the vocabulary holds words: lower-cased letters and digits. */
export function queryWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== "");
}

/**
 * The columns of products derived from the product, its variants and its categories, recomputed
 * in the transaction of every change that affects them:
 *
 * - search_vector: name (weight A); attribute and option values, SKUs and the names of its
 *   categories and their ancestors (B); description (C), in the text search configuration
 *   `search_config` (config SEARCH_CONFIG);
 * - price_min / price_max: the lowest ("from") and highest variant price;
 * - skus: every variant's SKU;
 * - facet_keys: the distinct "name<US>value" pairs of its attributes and its variants' option
 *   values, which attribute filters and facets match (text arrays unnest and overlap far faster
 *   than JSON);
 * - in_stock: some variant's SKU is available (> 0) in catalog's projection of inventory
 *   (store/availability.ts keeps it current when availability changes);
 * - category_tree_ids: its categories and all their ancestors, so a category filter is one
 *   indexed array test and category facets roll up without walking the tree.
 *
 * The same statement adds the product's words to the vocabulary (vocabularyInsert).
 */
const REFRESH = `
  with refreshed as (
  update products p set
    search_config = d.config,
    price_min = d.price_min,
    price_max = d.price_max,
    skus = d.skus,
    facet_keys = d.facet_keys,
    category_tree_ids = d.category_tree_ids,
    in_stock = d.in_stock,
    search_vector =
         setweight(to_tsvector(d.config::regconfig, p.name), 'A')
      || setweight(to_tsvector(d.config::regconfig, d.b_text), 'B')
      || setweight(to_tsvector(d.config::regconfig, p.description), 'C')
  from (
    select p2.id, cast(? as text) as config, v.price_min, v.price_max,
      coalesce(v.skus, '{}') as skus,
      coalesce(fa.keys, '{}') as facet_keys,
      coalesce(c.ids, '{}') as category_tree_ids,
      exists (
        select 1 from sku_availability a where a.sku = any(v.skus) and a.available > 0
      ) as in_stock,
      concat_ws(' ', fa.words, v.sku_words, c.names) as b_text
    from products p2
    left join lateral (
      select min(price_minor) as price_min, max(price_minor) as price_max,
        array_agg(sku order by id) as skus, string_agg(sku, ' ') as sku_words
      from variants where product_id = p2.id
    ) v on true
    left join lateral (
      select array_agg(distinct s.name || chr(31) || s.value) as keys,
        string_agg(distinct s.value, ' ') as words
      from (
        select a ->> 'name' as name, a ->> 'value' as value from jsonb_array_elements(p2.attributes) a
        union
        select o.key, o.value from variants ov, jsonb_each_text(ov.option_values) o where ov.product_id = p2.id
      ) s
    ) fa on true
    left join lateral (
      select array_agg(c.id order by c.id) as ids, string_agg(c.name, ' ' order by c.id) as names
      from categories c
      where c.id in (
        select unnest(string_to_array(rtrim(pc.path, '/'), '/'))::uuid
        from categories pc where pc.id = any(p2.category_ids)
      )
    ) c on true
    where WHERE
  ) d
  where p.id = d.id
  returning p.name, p.facet_keys
  )
  ${vocabularyInsert("refreshed")}`;

/** Recomputes the derived columns of the given products. */
export async function refreshProducts(sql: Sql, config: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql(REFRESH.replace("WHERE", "p2.id = any(cast(? as uuid[]))"), [config, pgArray(ids)]);
}

/**
 * Recomputes the derived columns of every product listed in one of the categories of the
 * subtree at `path` (after a rename or a move changed the category names they are found by).
 */
export async function refreshProductsUnder(sql: Sql, config: string, path: string): Promise<void> {
  await sql(
    REFRESH.replace(
      "WHERE",
      "p2.category_ids && array(select id from categories where path like cast(? as text) || '%')",
    ),
    [config, likePrefix(path)],
  );
}

/** Recomputes every product built with another text search configuration (SEARCH_CONFIG changed). */
export async function refreshStaleConfig(sql: Sql, config: string): Promise<void> {
  await sql(REFRESH.replace("WHERE", "p2.search_config <> cast(? as text)"), [config, config]);
}

/** `text` with LIKE's wildcards escaped, to be followed by '%'. */
export function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
