import { ProductSortOrder } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { describe, expect, it } from "vitest";
import { buildSearchQuery, type SearchInput } from "../domain/search.ts";
import { buildSearchStatement, type SearchSqlOptions } from "./search.ts";

const query = (overrides: Partial<SearchInput> = {}) =>
  buildSearchQuery(
    {
      query: "",
      categoryId: "",
      minPrice: undefined,
      maxPrice: undefined,
      attributes: [],
      sort: ProductSortOrder.UNSPECIFIED,
      states: [],
      ...overrides,
    },
    { currency: "EUR" },
  );

const options: SearchSqlOptions = {
  config: "english",
  after: undefined,
  limit: 25,
  bucketEdges: [0n, 1000n],
};

/** Every $n used, so a statement is checked to bind exactly its parameters. */
function placeholders(text: string): number[] {
  return [...new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

describe("buildSearchStatement", () => {
  it("binds every value as a parameter, numbered without gaps", () => {
    const statement = buildSearchStatement(
      query({
        query: "trail shoe",
        categoryId: "0190f3a4-7b2c-7d3e-8f40-123456789abc",
        minPrice: { amountMinor: 100n, currency: "EUR" },
        attributes: [{ name: "colour", values: ["red", "it's"] }],
      }),
      { ...options, after: { key: "0.5", id: "0190f3a4-7b2c-7d3e-8f40-123456789abc" } },
    );
    expect(placeholders(statement.text)).toEqual(statement.params.map((_, i) => i + 1));
    expect(statement.text).not.toContain("it's");
    expect(statement.text).not.toContain("?");
    expect(statement.params).toContain('{"colour\u001fit\'s","colour\u001fred"}');
  });

  it("matches words and prefixes, and corrects misspelt words only when they find nothing", () => {
    const { text: fuzzy, params } = buildSearchStatement(query({ query: "Leathr sneakr" }), options);
    expect(fuzzy).toMatch(
      /search_vector @@ \(\(select websearch_to_tsquery\(\$\d::regconfig, \$\d::text\)\) \|\| \(select to_tsquery\(/,
    );
    // the query's words, each with its close words of the vocabulary, the last one a prefix
    expect(params).toContain('{"leathr","sneakr"}');
    expect(fuzzy).toMatch(/from search_words v\s+where length\(qw\.word\) >= 3\s+and not exists/);
    expect(fuzzy).toMatch(
      /v\.word % qw\.word\s+order by similarity\(v\.word, qw\.word\) desc, v\.word\s+limit 3/,
    );
    expect(fuzzy).toMatch(/case when qw\.i = cardinality\(\$\d+::text\[\]\) then ':\*'/);
    expect(fuzzy).toContain(
      "search_vector @@ (select q from corrected)\n            and not exists (select 1 from matched)",
    );
    // corrected words rank the corrected matches only; matched words rank by themselves
    expect(fuzzy).toContain(
      "case when exists (select 1 from matched) then 0 else ts_rank_cd(p.search_vector, (select q from corrected)) end",
    );
    expect(fuzzy).toContain("p.id in (select id from matched union all select id from fuzzy)");
    const exact = buildSearchStatement(query({ query: "shoe -trail" }), options).text;
    expect(exact).not.toContain("search_words");
    expect(exact).not.toContain("select to_tsquery(");
    expect(exact).toContain("p.id in (select id from matched)");
    expect(buildSearchStatement(query(), options).text).not.toContain("websearch_to_tsquery");
  });

  it("filters a category by the products' categories with their ancestors", () => {
    const { text, params } = buildSearchStatement(
      query({ categoryId: "0190f3a4-7b2c-7d3e-8f40-123456789abc" }),
      options,
    );
    const id = `$${params.indexOf("0190f3a4-7b2c-7d3e-8f40-123456789abc") + 1}`;
    expect(text).toContain(`p.category_tree_ids @> array[${id}::uuid]`);
  });

  it("counts an attribute's values without its own filter but with the others", () => {
    const { text, params } = buildSearchStatement(
      query({
        attributes: [
          { name: "colour", values: ["red"] },
          { name: "size", values: ["M"] },
        ],
      }),
      options,
    );
    const colour = `$${params.indexOf("colour") + 1}`;
    const size = `$${params.indexOf("size") + 1}`;
    expect(text).toContain(`when ${colour} then f_a1 when ${size} then f_a0 else f_a0 and f_a1 end`);
  });

  it.each([
    [ProductSortOrder.PRICE_ASCENDING, "sort_key > $", "asc"],
    [ProductSortOrder.PRICE_DESCENDING, "sort_key < $", "desc"],
    [ProductSortOrder.NAME, "sort_key > $", "asc"],
    [ProductSortOrder.NEWEST, "sort_key < $", "desc"],
  ])("continues after the cursor in the direction of sort %s", (sort, comparison, direction) => {
    const { text } = buildSearchStatement(query({ sort }), {
      ...options,
      after: { key: "10", id: "0190f3a4-7b2c-7d3e-8f40-123456789abc" },
    });
    expect(text).toContain(comparison);
    expect(text).toContain(`order by sort_key ${direction}, id`);
  });

  it("keeps only in-stock products when asked, and counts in-stock hits either way", () => {
    const hits = (text: string) =>
      /hits as materialized \(\s*select id, sort_key from base where ([^\n]*)\n/.exec(text)?.[1];
    const all = buildSearchStatement(query(), options).text;
    const inStock = buildSearchStatement(query({ inStockOnly: true }), options).text;
    expect(all).toContain("p.in_stock as f_stock");
    expect(hits(all)).toBe("f_cat and f_price and true and true");
    expect(hits(inStock)).toBe("f_cat and f_price and true and f_stock");
    // The availability facet ignores its own filter, so it is the same statement either way.
    const facet = 'select count(*)::int from base where f_cat and f_price and true and f_stock) as "inStock"';
    expect(all).toContain(facet);
    expect(inStock).toContain(facet);
  });

  it("narrows the other facets to in-stock products when the filter is set", () => {
    const { text } = buildSearchStatement(
      query({ inStockOnly: true, attributes: [{ name: "colour", values: ["red"] }] }),
      options,
    );
    expect(text).toContain("from base where f_price and f_a0 and f_stock) ids");
    expect(text).toContain("from base where f_cat and f_price and f_stock) keys");
    expect(text).toContain("from base where price_min is not null and f_cat and f_a0 and f_stock");
  });
});
