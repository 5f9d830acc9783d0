import { ProductSortOrder, ProductView } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { checkPrice, type Money } from "./money.ts";
import type { Attribute, Image, ProductState } from "./product.ts";
import { checkLine, normalizeLine } from "./text.ts";

/**
 * What a product search asks for, checked and in canonical form: the store turns it into SQL,
 * and its canonical JSON (searchKey) keys page tokens and the cache of result pages.
 */

export type SortOrder = "relevance" | "price_asc" | "price_desc" | "newest" | "name";

/**
 * How much of each found product the answer carries (AIP-157 views): `basic` is a card for
 * listings (ProductCard), `full` the whole product.
 */
export type SearchView = "basic" | "full";

/**
 * A product as a listing shows it (the BASIC view): no description, no times, the main image
 * only and per variant only its SKU and price. Every variant is there, in id order as in the
 * full product, so the count and the price range are the full product's.
 */
export interface ProductCard {
  id: string;
  slug: string;
  name: string;
  state: ProductState;
  categoryIds: string[];
  attributes: Attribute[];
  /** The main image (the first), if any. */
  image: Image | undefined;
  /** The lowest and highest variant price (undefined without variants), and how many variants. */
  priceFrom: Money | undefined;
  priceTo: Money | undefined;
  variantCount: number;
}

export interface SearchQuery {
  /** Trimmed, inner whitespace collapsed; "" for none. */
  text: string;
  /**
   * `text` as a prefix tsquery ("trail & run:*"), "" when it holds no words or uses web-search
   * operators (quotes, `-word`, `or`): then the shopper is precise, and neither prefixes nor
   * typo correction widen the match.
   */
  prefix: string;
  /**
   * Whether misspelt words are corrected when the words find nothing (against the vocabulary of
   * product words, by trigram similarity: store/search.ts); false with operators.
   */
  fuzzy: boolean;
  categoryId: string | undefined;
  /** Bounds of the "from" price in minor units, inclusive. */
  minPrice: bigint | undefined;
  maxPrice: bigint | undefined;
  /** One entry per attribute name, names and values sorted. */
  attributes: { name: string; values: string[] }[];
  sort: SortOrder;
  /** Sorted; ["active"] for a storefront search. */
  states: ProductState[];
  /** Only products with a variant in stock (catalog's projection of inventory's availability). */
  inStockOnly: boolean;
  /**
   * What the answer shows of each product. Not part of searchKey: both views find the same
   * products in the same order, so a page token serves either.
   */
  view: SearchView;
}

export interface SearchInput {
  query: string;
  categoryId: string;
  minPrice: Money | undefined;
  maxPrice: Money | undefined;
  attributes: readonly { name: string; values: readonly string[] }[];
  sort: ProductSortOrder;
  /** Undefined entries stand for unknown enum values. */
  states: readonly (ProductState | undefined)[];
  inStockOnly?: boolean;
  /** UNSPECIFIED (and absent) means FULL. */
  view?: ProductView;
}

export const SEARCH_LIMITS = { query: 200, attributes: 20, values: 50, prefixWords: 8 } as const;
export const SEARCH_PAGE = { defaultSize: 24, maxSize: 100 } as const;
export const SUGGEST_PAGE = { defaultSize: 8, maxSize: 20 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const VIEWS: Partial<Record<ProductView, SearchView>> = {
  [ProductView.UNSPECIFIED]: "full",
  [ProductView.BASIC]: "basic",
  [ProductView.FULL]: "full",
};

const SORTS: Partial<Record<ProductSortOrder, SortOrder>> = {
  [ProductSortOrder.RELEVANCE]: "relevance",
  [ProductSortOrder.PRICE_ASCENDING]: "price_asc",
  [ProductSortOrder.PRICE_DESCENDING]: "price_desc",
  [ProductSortOrder.NEWEST]: "newest",
  [ProductSortOrder.NAME]: "name",
};

/** Checks a search request and puts it in canonical form; INVALID_ARGUMENT naming every bad field. */
export function buildSearchQuery(input: SearchInput, options: { currency: string }): SearchQuery {
  const violations: FieldViolation[] = [];
  const text = normalizeLine(input.query);
  violations.push(...checkLine(text, "query", { max: SEARCH_LIMITS.query, optional: true }));
  const categoryId = input.categoryId.trim().toLowerCase();
  if (categoryId !== "" && !UUID.test(categoryId)) {
    violations.push({ field: "categoryId", description: "must be a UUID" });
  }
  const minPrice = priceBound(input.minPrice, "minPrice", options.currency, violations);
  const maxPrice = priceBound(input.maxPrice, "maxPrice", options.currency, violations);
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    violations.push({ field: "maxPrice", description: "must not be below minPrice" });
  }
  const attributes = mergeAttributeFilters(input.attributes, violations);
  let sort: SortOrder = text === "" ? "newest" : "relevance";
  if (input.sort !== ProductSortOrder.UNSPECIFIED) {
    const chosen = SORTS[input.sort];
    if (!chosen) violations.push({ field: "sort", description: "is not a known sort order" });
    else sort = chosen;
  }
  const states = new Set<ProductState>();
  input.states.forEach((state, i) => {
    if (state) states.add(state);
    else violations.push({ field: `states[${i}]`, description: "must be DRAFT, ACTIVE or ARCHIVED" });
  });
  const view = VIEWS[input.view ?? ProductView.UNSPECIFIED];
  if (!view) violations.push({ field: "view", description: "must be BASIC or FULL" });
  throwIfInvalid(violations);
  return {
    text,
    prefix: usesOperators(text) ? "" : prefixTsQuery(text),
    fuzzy: text !== "" && !usesOperators(text),
    categoryId: categoryId || undefined,
    minPrice,
    maxPrice,
    attributes,
    sort,
    states: states.size === 0 ? ["active"] : [...states].sort(),
    inStockOnly: input.inStockOnly ?? false,
    view: view ?? "full",
  };
}

function priceBound(
  price: Money | undefined,
  field: string,
  currency: string,
  violations: FieldViolation[],
): bigint | undefined {
  if (!price) return undefined;
  const checked = checkPrice(price, currency, field);
  violations.push(...checked.violations);
  return checked.price.amountMinor;
}

/** Filters on one name are merged (their values ORed); names and values sorted, duplicates dropped. */
function mergeAttributeFilters(
  filters: SearchInput["attributes"],
  violations: FieldViolation[],
): SearchQuery["attributes"] {
  if (filters.length > SEARCH_LIMITS.attributes) {
    violations.push({
      field: "attributes",
      description: `must hold at most ${SEARCH_LIMITS.attributes} filters`,
    });
  }
  const byName = new Map<string, Set<string>>();
  filters.forEach((filter, i) => {
    const name = normalizeLine(filter.name);
    violations.push(...checkLine(name, `attributes[${i}].name`, { max: 200 }));
    if (filter.values.length === 0) {
      violations.push({ field: `attributes[${i}].values`, description: "must hold at least one value" });
    } else if (filter.values.length > SEARCH_LIMITS.values) {
      violations.push({
        field: `attributes[${i}].values`,
        description: `must hold at most ${SEARCH_LIMITS.values} values`,
      });
    }
    const values = byName.get(name) ?? new Set<string>();
    filter.values.forEach((raw, j) => {
      const value = normalizeLine(raw);
      violations.push(...checkLine(value, `attributes[${i}].values[${j}]`, { max: 200 }));
      values.add(value);
    });
    byName.set(name, values);
  });
  return [...byName.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([name, values]) => ({ name, values: [...values].sort(compare) }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The words of a query as a prefix tsquery for to_tsquery: every word must match, the last one
 * as a prefix, so "trail run" finds "Trail Running Shoes" while the shopper is still typing.
 * `weights` ("AB") limits the match to those weights of the search vector. Only letters and
 * digits pass (no tsquery operators), so the result is always valid syntax; "" when there are
 * no words.
 */
export function prefixTsQuery(text: string, weights = ""): string {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, SEARCH_LIMITS.prefixWords);
  if (words.length === 0) return "";
  return words
    .map((word, i) =>
      i === words.length - 1 ? `${word}:*${weights}` : weights ? `${word}:${weights}` : word,
    )
    .join(" & ");
}

/** True when a query uses web-search syntax: "quoted phrases", -excluded words or `or`. */
export function usesOperators(text: string): boolean {
  return /"/.test(text) || /(^|\s)-\S/.test(text) || /(^|\s)or(\s|$)/i.test(text);
}

/**
 * The canonical text of what a search selects and how it sorts (not the page): equal for equal
 * searches, so it keys page tokens and cached pages.
 */
export function searchKey(query: SearchQuery): string {
  return JSON.stringify([
    query.text.toLowerCase(),
    query.categoryId ?? "",
    query.minPrice?.toString() ?? "",
    query.maxPrice?.toString() ?? "",
    query.attributes,
    query.sort,
    query.states,
    // Only when set, so the keys (and page tokens) of other searches stay what they were.
    ...(query.inStockOnly ? ["in_stock"] : []),
  ]);
}

/** The suggestion query: 1 to 100 characters after trimming. */
export function checkSuggestQuery(query: string): string {
  const text = normalizeLine(query);
  throwIfInvalid(checkLine(text, "query", { max: 100 }));
  return text;
}

const FLOAT = /^-?\d{1,20}(\.\d{1,20})?(e[-+]?\d{1,3})?$/i;
const INTEGER = /^-?\d{1,19}$/;
const INT8_MAX = 2n ** 63n - 1n;

/** True when `key` can be a sort key of `sort` (a page token's, which a client could have forged). */
export function isSortKey(sort: SortOrder, key: string): boolean {
  switch (sort) {
    case "relevance":
      return FLOAT.test(key) && Number.isFinite(Number(key));
    case "price_asc":
    case "price_desc":
    case "newest":
      return INTEGER.test(key) && BigInt(key) <= INT8_MAX && BigInt(key) >= -INT8_MAX - 1n;
    case "name":
      // Any name, but no control characters (PostgreSQL text cannot hold NUL).
      return key.length <= 1_000 && !/\p{Cc}/u.test(key);
  }
}
