import type { ProductCard, SearchQuery, SortOrder } from "../domain/search.ts";
import { facetKey, likePrefix, queryWords, VOCABULARY_TABLE } from "./derived.ts";
import { type CardRecord, cardJson, toCard } from "./product-rows.ts";
import { pgArray, type Sql } from "./sql.ts";

/**
 * Product search in one statement: the products the state and text select (`base`), each with
 * one flag per filter, so the hits (every flag true), the page, the total and facets that each
 * ignore their own filter all come from the same rows in one round trip.
 *
 * Text matches when the weighted search vector matches the query as web-search syntax
 * (websearch_to_tsquery) or as words with the last one a prefix; when that finds nothing, when it
 * matches the words with misspelt ones corrected against the vocabulary of product words
 * (pg_trgm similarity). Relevance is ts_rank_cd of the tsqueries. Attribute facets come out by
 * name, values most frequent first (at most 50 per name). "In stock" is the derived flag
 * products.in_stock (store/availability.ts); its facet counts the in-stock products that every
 * other filter lets through.
 */

/** Where the previous page ended: its last sort key (as text) and id. */
export interface SearchCursor {
  key: string;
  id: string;
}

export interface SearchSqlOptions {
  /** The text search configuration (config SEARCH_CONFIG). */
  config: string;
  after: SearchCursor | undefined;
  /** Rows to return: the page size plus one, to know whether there is a next page. */
  limit: number;
  /** Lower edges of the price buckets, ascending, starting at 0. */
  bucketEdges: readonly bigint[];
  /**
   * Also the cards (the BASIC view) of the first `count` hits of the page, their prices in the
   * catalog's `currency`, read in the same statement (a listing then costs one round trip, not two).
   */
  cards?: { count: number; currency: string };
}

/** A statement with `$n` parameters. */
export interface Statement {
  text: string;
  params: unknown[];
}

interface SortSpec {
  /** The SQL type of the key, for comparing a cursor's text with it. */
  type: string;
  descending: boolean;
}

const SORTS: Record<SortOrder, SortSpec> = {
  relevance: { type: "float8", descending: true },
  price_asc: { type: "bigint", descending: false },
  price_desc: { type: "bigint", descending: true },
  newest: { type: "bigint", descending: true },
  name: { type: "text", descending: false },
};

/** Builds the search statement; pure, so its shape is unit tested. */
export function buildSearchStatement(query: SearchQuery, options: SearchSqlOptions): Statement {
  const params: unknown[] = [];
  const $ = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const sort = SORTS[query.sort];
  const where = [`p.state = any(${$(pgArray(query.states))}::text[])`];

  let relevance = "0::float8";
  const ctes: string[] = [];
  if (query.text !== "") {
    const config = `${$(options.config)}::regconfig`;
    const text = `${$(query.text)}::text`;
    // Each tsquery is an uncorrelated sub-select: computed once per statement (an InitPlan),
    // not once per ranked row, which a generic plan (values as parameters) cannot fold away.
    const web = `(select websearch_to_tsquery(${config}, ${text}))`;
    const prefix = query.prefix ? `(select to_tsquery(${config}, ${$(query.prefix)}))` : undefined;
    const states = `${$(pgArray(query.states))}::text[]`;
    ctes.push(
      `matched as materialized (
        select id from products
        where state = any(${states}) and search_vector @@ ${prefix ? `(${web} || ${prefix})` : web}
      )`,
    );
    const scores = [`ts_rank_cd(p.search_vector, ${web})`];
    if (prefix) scores.push(`0.5 * ts_rank_cd(p.search_vector, ${prefix})`);
    if (query.fuzzy) {
      // Typos are forgiven only when the words find nothing, by correcting the words: each word
      // of three letters or more that no product holds (vocabularyInsert) may also be one of its
      // three closest words of the vocabulary (pg_trgm similarity, through its trigram index).
      // The last word stays a prefix. Comparing a few words with a vocabulary costs a fraction
      // of comparing the query with every product name.
      const words = `${$(pgArray(queryWords(query.text)))}::text[]`;
      const last = prefix ? `qw.i = cardinality(${words})` : "false";
      ctes.push(
        `corrected as materialized (
          select to_tsquery(${config}, string_agg(alternatives, ' & ' order by i)) as q
          from (
            select qw.i, '(' || string_agg(c.word, ' | ') || ')' as alternatives, bool_or(c.close) as corrected
            from unnest(${words}) with ordinality as qw(word, i)
            cross join lateral (
              select qw.word || case when ${last} then ':*' else '' end as word, false as close
              union all
              (select v.word, true from ${VOCABULARY_TABLE} v
               where length(qw.word) >= 3
                 and not exists (select 1 from ${VOCABULARY_TABLE} k where k.word = qw.word)
                 and v.word % qw.word
               order by similarity(v.word, qw.word) desc, v.word
               limit 3)
            ) c
            group by qw.i
          ) w
          where not exists (select 1 from matched)
          -- no word has a close one: nothing more to find
          having bool_or(w.corrected)
        ),
        fuzzy as (
          select id from products
          where state = any(${states}) and search_vector @@ (select q from corrected)
            and not exists (select 1 from matched)
        )`,
      );
      scores.push(
        "case when exists (select 1 from matched) then 0 else ts_rank_cd(p.search_vector, (select q from corrected)) end",
      );
      where.push("p.id in (select id from matched union all select id from fuzzy)");
    } else {
      where.push("p.id in (select id from matched)");
    }
    relevance = `(${scores.join(" + ")})::float8`;
  }
  const key = {
    relevance,
    price_asc: "coalesce(p.price_min, 0)",
    price_desc: "coalesce(p.price_min, 0)",
    // Microseconds since the epoch: a key that survives the round trip through a page token exactly.
    newest: "(extract(epoch from p.create_time) * 1000000)::bigint",
    name: "lower(p.name)",
  }[query.sort];

  const categoryFlag = query.categoryId
    ? `p.category_tree_ids @> array[${$(query.categoryId)}::uuid]`
    : "true";
  const bounds: string[] = [];
  if (query.minPrice !== undefined) bounds.push(`p.price_min >= ${$(query.minPrice.toString())}::bigint`);
  if (query.maxPrice !== undefined) bounds.push(`p.price_min <= ${$(query.maxPrice.toString())}::bigint`);
  const priceFlag = bounds.length > 0 ? `coalesce(${bounds.join(" and ")}, false)` : "true";
  const flags = [`${categoryFlag} as f_cat`, `${priceFlag} as f_price`, "p.in_stock as f_stock"];
  const stock = query.inStockOnly ? "f_stock" : "true";
  const attributeFlags = query.attributes.map((filter, i) => {
    const keys = filter.values.map((value) => facetKey(filter.name, value));
    flags.push(`p.facet_keys && ${$(pgArray(keys))}::text[] as f_a${i}`);
    return `f_a${i}`;
  });
  const allAttributes = attributeFlags.length > 0 ? attributeFlags.join(" and ") : "true";
  // An attribute's values are counted as if that attribute were not filtered.
  const attributeFacetFlag =
    query.attributes.length === 0
      ? "true"
      : `case split_part(k, chr(31), 1) ${query.attributes
          .map((filter, i) => {
            const others = attributeFlags.filter((_, j) => j !== i);
            return `when ${$(filter.name)} then ${others.length > 0 ? others.join(" and ") : "true"}`;
          })
          .join(" ")} else ${allAttributes} end`;

  const direction = sort.descending ? "desc" : "asc";
  let cursor = "true";
  if (options.after) {
    const value = `${$(options.after.key)}::${sort.type}`;
    const id = `${$(options.after.id)}::uuid`;
    cursor = `(sort_key ${sort.descending ? "<" : ">"} ${value} or (sort_key = ${value} and id > ${id}))`;
  }
  const edges = `${$(pgArray(options.bucketEdges.map(String)))}::bigint[]`;
  const limit = $(options.limit);
  const cards =
    options.cards === undefined
      ? ""
      : `,
      (select coalesce(json_agg(${cardJson(`${$(options.cards.currency)}::text`)} order by pg.n), '[]'::json)
         from page pg join products p on p.id = pg.id where pg.n <= ${$(options.cards.count)}) as cards`;

  const text = `
    with ${ctes.map((cte) => `${cte},`).join("\n")}
    base as materialized (
      select p.id, p.price_min, p.category_tree_ids, p.facet_keys, ${key} as sort_key, ${flags.join(", ")}
      from products p
      where ${where.join(" and ")}
    ),
    hits as materialized (
      select id, sort_key from base where f_cat and f_price and ${allAttributes} and ${stock}
    ),
    page as (
      select id, sort_key::text as key, row_number() over (order by sort_key ${direction}, id) as n
      from hits where ${cursor}
      order by sort_key ${direction}, id
      limit ${limit}
    )
    select
      (select count(*)::int from hits) as total,
      (select coalesce(json_agg(json_build_object('id', id, 'key', key) order by n), '[]'::json) from page) as page,
      (select coalesce(json_agg(json_build_object('id', f.id, 'name', c.name, 'count', f.n) order by f.n desc, c.name), '[]'::json)
         from (
           select id, count(*)::int as n
           from (select unnest(category_tree_ids) as id from base where f_price and ${allAttributes} and ${stock}) ids
           group by id
         ) f join categories c on c.id = f.id) as categories,
      (select coalesce(json_agg(json_build_object(
           'name', split_part(k, chr(31), 1), 'value', substr(k, strpos(k, chr(31)) + 1), 'count', n
         ) order by split_part(k, chr(31), 1), n desc, k), '[]'::json)
         from (
           select k, n, row_number() over (partition by split_part(k, chr(31), 1) order by n desc, k) as r
           from (
             select k, count(*)::int as n
             from (select unnest(facet_keys) as k, ${attributeFlags.join(", ") || "true"} from base where f_cat and f_price and ${stock}) keys
             where ${attributeFacetFlag}
             group by k
           ) counted
         ) ranked where r <= 50) as attributes,
      (select coalesce(json_agg(json_build_object('bucket', bucket, 'count', n) order by bucket), '[]'::json)
         from (
           select width_bucket(price_min, ${edges}) as bucket, count(*)::int as n
           from base where price_min is not null and f_cat and ${allAttributes} and ${stock}
           group by 1
         ) buckets) as prices,
      (select count(*)::int from base where f_cat and f_price and ${allAttributes} and f_stock) as "inStock"${cards}`;
  return { text, params };
}

/** What the search statement returns. */
export interface SearchRows {
  total: number;
  /** Up to `limit` hits of the page, in order, with their sort keys. */
  page: { id: string; key: string }[];
  categories: { id: string; name: string; count: number }[];
  attributes: { name: string; value: string; count: number }[];
  /** 1-based bucket index into the edges, and the count. */
  prices: { bucket: number; count: number }[];
  /** Hits there would be with the "in stock" filter (whether it is set or not). */
  inStock: number;
  /** With the option `cards`: the cards of the page's first hits, in page order. */
  cards?: ProductCard[];
}

export async function runSearch(
  sql: Sql,
  query: SearchQuery,
  options: SearchSqlOptions,
): Promise<SearchRows> {
  const statement = buildSearchStatement(query, options);
  const [row] = await sql<Omit<SearchRows, "cards"> & { cards?: CardRecord[] }>(
    statement.text,
    statement.params,
  );
  if (!row) return { total: 0, page: [], categories: [], attributes: [], prices: [], inStock: 0 };
  const { cards, ...rows } = row;
  return cards ? { ...rows, cards: cards.map(toCard) } : rows;
}

/** One typeahead suggestion row. */
export interface SuggestionRow {
  id: string;
  slug: string;
  name: string;
  imageUrl: string | null;
  priceMin: string | null;
}

/**
 * ACTIVE products whose name or tags start with the query's words (prefix tsquery on weights A
 * and B) or whose name contains the query; near misses of the name (trigram word similarity)
 * only fill up a short list. Names starting with the query first, then the closest.
 */
export async function runSuggest(
  sql: Sql,
  query: { text: string; prefix: string; limit: number; config: string },
): Promise<SuggestionRow[]> {
  const params: unknown[] = [];
  const $ = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const text = `${$(query.text)}::text`;
  const limit = $(query.limit);
  const direct = [`name ilike ${$(`%${likePrefix(query.text)}%`)}`];
  if (query.prefix) {
    direct.push(`search_vector @@ to_tsquery(${$(query.config)}::regconfig, ${$(query.prefix)})`);
  }
  return sql<SuggestionRow>(
    `with direct as materialized (
       select id from products where state = 'active' and (${direct.join(" or ")})
     ),
     near as (
       select id from products
       where state = 'active' and ${text} <% name and (select count(*) from direct) < ${limit}
     )
     select p.id, p.slug, p.name, p.images -> 0 ->> 'url' as "imageUrl", p.price_min::text as "priceMin"
     from products p
     where p.id in (select id from direct union select id from near)
     order by lower(p.name) like ${$(`${likePrefix(query.text.toLowerCase())}%`)} desc,
       word_similarity(${text}, p.name) desc, lower(p.name), p.id
     limit ${limit}`,
    params,
  );
}
