import { ProductSortOrder, ProductView } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  buildSearchQuery,
  isSortKey,
  prefixTsQuery,
  type SearchInput,
  searchKey,
  usesOperators,
} from "./search.ts";

const input = (overrides: Partial<SearchInput> = {}): SearchInput => ({
  query: "",
  categoryId: "",
  minPrice: undefined,
  maxPrice: undefined,
  attributes: [],
  sort: ProductSortOrder.UNSPECIFIED,
  states: [],
  ...overrides,
});

const build = (overrides: Partial<SearchInput> = {}) =>
  buildSearchQuery(input(overrides), { currency: "EUR" });

describe("buildSearchQuery", () => {
  it("defaults to ACTIVE products, newest first without text and by relevance with it", () => {
    expect(build()).toMatchObject({ states: ["active"], sort: "newest", text: "", prefix: "", fuzzy: false });
    expect(build({ query: "  trail   run " })).toMatchObject({
      text: "trail run",
      prefix: "trail & run:*",
      fuzzy: true,
      sort: "relevance",
    });
  });

  it("turns off prefixes and typo tolerance when the query uses web-search operators", () => {
    expect(build({ query: "boots -leather" })).toMatchObject({ prefix: "", fuzzy: false });
    expect(build({ query: '"trail shoe"' })).toMatchObject({ prefix: "", fuzzy: false });
  });

  it("merges attribute filters by name and sorts them, so equal searches have one key", () => {
    const a = build({
      attributes: [
        { name: "size", values: ["M"] },
        { name: "colour", values: ["red", "blue"] },
        { name: "size", values: ["L", "M"] },
      ],
    });
    expect(a.attributes).toEqual([
      { name: "colour", values: ["blue", "red"] },
      { name: "size", values: ["L", "M"] },
    ]);
    const b = build({
      attributes: [
        { name: "colour", values: ["blue", "red"] },
        { name: "size", values: ["M", "L"] },
      ],
    });
    expect(searchKey(a)).toBe(searchKey(b));
    expect(searchKey(a)).not.toBe(searchKey(build()));
  });

  it("keys in-stock searches apart, leaving the keys of other searches as they were", () => {
    expect(build().inStockOnly).toBe(false);
    expect(build({ inStockOnly: true }).inStockOnly).toBe(true);
    expect(searchKey(build({ inStockOnly: true }))).not.toBe(searchKey(build()));
    expect(searchKey(build())).toBe(JSON.stringify(["", "", "", "", [], "newest", ["active"]]));
  });

  it("reads the view, FULL when unspecified, and keeps it out of the key (page tokens serve both)", () => {
    expect(build().view).toBe("full");
    expect(build({ view: ProductView.FULL }).view).toBe("full");
    expect(build({ view: ProductView.BASIC }).view).toBe("basic");
    expect(searchKey(build({ view: ProductView.BASIC }))).toBe(searchKey(build()));
    expect(() => build({ view: 9 as ProductView })).toThrow();
  });

  it("names every bad field at once", () => {
    let error: DomainError | undefined;
    try {
      build({
        query: "x".repeat(201),
        categoryId: "shoes",
        minPrice: { amountMinor: 10n, currency: "EUR" },
        maxPrice: { amountMinor: 5n, currency: "EUR" },
        attributes: [{ name: "", values: [] }],
        sort: 99 as ProductSortOrder,
        states: [undefined],
      });
    } catch (e) {
      error = e as DomainError;
    }
    expect(error?.violations.map((v) => v.field)).toEqual([
      "query",
      "categoryId",
      "maxPrice",
      "attributes[0].name",
      "attributes[0].values",
      "sort",
      "states[0]",
    ]);
  });
});

describe("prefixTsQuery", () => {
  it("keeps only words, the last one a prefix, optionally limited to weights", () => {
    expect(prefixTsQuery("Trail-Run & <shoes>!")).toBe("trail & run & shoes:*");
    expect(prefixTsQuery("café crème", "AB")).toBe("café:AB & crème:*AB");
    expect(prefixTsQuery("!!! ???")).toBe("");
  });
});

describe("usesOperators and isSortKey", () => {
  it("tells operators from hyphenated words", () => {
    expect(usesOperators("t-shirt")).toBe(false);
    expect(usesOperators("shirt -red")).toBe(true);
    expect(usesOperators("red or blue")).toBe(true);
    expect(usesOperators("oregano")).toBe(false);
  });

  it("accepts only keys of the sort order's type", () => {
    expect(isSortKey("relevance", "0.3141")).toBe(true);
    expect(isSortKey("relevance", "1e-05")).toBe(true);
    expect(isSortKey("relevance", "1; drop")).toBe(false);
    expect(isSortKey("relevance", "1e400")).toBe(false);
    expect(isSortKey("price_asc", "9999999999999999999")).toBe(false);
    expect(isSortKey("price_asc", "1999")).toBe(true);
    expect(isSortKey("newest", "2026-01-01")).toBe(false);
    expect(isSortKey("name", "shoe\u0000")).toBe(false);
  });
});
