import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type Category,
  type Product,
  type ProductSchema as ProductMessage,
  ProductSortOrder,
  ProductState,
  type ProductSuggestion,
  ProductView,
  type SearchFacets,
  type SearchProductsRequestSchema,
  type Variant,
  type VariantSchema as VariantMessage,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { Money } from "@shopmesh/contracts/shopmesh/common/v1/money_pb";
import type { z } from "zod";
import { moneyJson } from "../cart/mappers.ts";
import { isoTime } from "../identity/mappers.ts";
import type {
  CategoryNode,
  CategorySchema,
  CompactProductCardSchema,
  FacetsSchema,
  ProductCardSchema,
  ProductCreateSchema,
  ProductPatchSchema,
  ProductSchema,
  ProductStateSchema,
  SearchQuerySchema,
  SORTS,
  VariantCreateSchema,
  VariantPatchSchema,
  VariantSchema,
} from "./schemas.ts";

type StateName = z.infer<typeof ProductStateSchema>;
type MoneyJson = ReturnType<typeof moneyJson>;

export const STATE_VALUES: Record<StateName, ProductState> = {
  draft: ProductState.DRAFT,
  active: ProductState.ACTIVE,
  archived: ProductState.ARCHIVED,
};

const STATE_NAMES: Partial<Record<ProductState, StateName>> = {
  [ProductState.DRAFT]: "draft",
  [ProductState.ACTIVE]: "active",
  [ProductState.ARCHIVED]: "archived",
};

const SORT_VALUES: Record<(typeof SORTS)[number], ProductSortOrder> = {
  relevance: ProductSortOrder.RELEVANCE,
  price_asc: ProductSortOrder.PRICE_ASCENDING,
  price_desc: ProductSortOrder.PRICE_DESCENDING,
  newest: ProductSortOrder.NEWEST,
  name: ProductSortOrder.NAME,
};

export function variantJson(variant: Variant): z.infer<typeof VariantSchema> {
  return {
    id: variant.id,
    sku: variant.sku,
    title: variant.title,
    optionValues: { ...variant.optionValues },
    price: moneyJson(variant.price),
    weightGrams: variant.weightGrams,
  };
}

export function productJson(product: Product | undefined): z.infer<typeof ProductSchema> {
  if (!product) throw new Error("the catalog answered without a product");
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    // A state this BFF does not know yet reads as draft: never shown as sellable by mistake.
    state: STATE_NAMES[product.state] ?? "draft",
    categoryIds: [...product.categoryIds],
    attributes: product.attributes.map(({ name, value }) => ({ name, value })),
    images: product.images.map(({ url, altText }) => ({ url, altText })),
    variants: product.variants.map(variantJson),
    version: Number(product.version),
    createTime: isoTime(product.createTime),
    updateTime: isoTime(product.updateTime),
  };
}

/**
 * The product's lowest and highest price: the catalog's summary (price_from, price_to), or from
 * the variants when it has none (an answer of a catalog from before the summary, still cached).
 */
function priceRange(product: Product): { low: MoneyJson | null; high: MoneyJson | null } {
  if (product.priceFrom || product.variantCount > 0) {
    return {
      low: product.priceFrom ? moneyJson(product.priceFrom) : null,
      high: product.priceTo ? moneyJson(product.priceTo) : null,
    };
  }
  let low: Money | undefined;
  let high: Money | undefined;
  for (const { price } of product.variants) {
    if (!price) continue;
    if (!low || price.amountMinor < low.amountMinor) low = price;
    if (!high || price.amountMinor > high.amountMinor) high = price;
  }
  return { low: low ? moneyJson(low) : null, high: high ? moneyJson(high) : null };
}

/**
 * The web's product card for listings: enough to render a tile and filter chips. Needs only
 * what the catalog's BASIC view fills (ProductView.BASIC), so listings ask for that.
 */
export function cardJson(product: Product): z.infer<typeof ProductCardSchema> {
  const { low, high } = priceRange(product);
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    imageUrl: product.images[0]?.url ?? "",
    priceFrom: low,
    priceTo: high,
    categoryIds: [...product.categoryIds],
    attributes: product.attributes.map(({ name, value }) => ({ name, value })),
    variantCount: product.variantCount || product.variants.length,
  };
}

/** Mobile's compact card: a tile only (apps fetch the product when it is opened); BASIC view is enough. */
export function compactCardJson(product: Product): z.infer<typeof CompactProductCardSchema> {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    imageUrl: product.images[0]?.url ?? "",
    priceFrom: priceRange(product).low,
  };
}

export function facetsJson(facets: SearchFacets | undefined): z.infer<typeof FacetsSchema> {
  return {
    categories: (facets?.categories ?? []).map(({ categoryId, name, count }) => ({
      categoryId,
      name,
      count,
    })),
    attributes: (facets?.attributes ?? []).map(({ name, values }) => ({
      name,
      values: values.map(({ value, count }) => ({ value, count })),
    })),
    priceBuckets: (facets?.priceBuckets ?? []).map((bucket) => ({
      minPrice: moneyJson(bucket.minPrice),
      maxPrice: bucket.maxPrice ? moneyJson(bucket.maxPrice) : null,
      count: bucket.count,
    })),
    inStock: facets?.inStockCount ?? 0,
  };
}

export function suggestionJson(suggestion: ProductSuggestion) {
  return {
    productId: suggestion.productId,
    slug: suggestion.slug,
    name: suggestion.name,
    imageUrl: suggestion.imageUrl,
    price: suggestion.price ? moneyJson(suggestion.price) : null,
  };
}

/**
 * The query string of GET /products as a SearchProductsRequest. Prices are in the catalog's
 * currency. Listings of cards ask for `ProductView.BASIC`; the default (UNSPECIFIED) is FULL.
 */
export function searchRequest(
  query: z.infer<typeof SearchQuerySchema>,
  states: ProductState[] = [],
  view: ProductView = ProductView.UNSPECIFIED,
): MessageInitShape<typeof SearchProductsRequestSchema> {
  return {
    query: query.q ?? "",
    categoryId: query.category ?? "",
    ...(query.minPrice !== undefined ? { minPrice: { amountMinor: BigInt(query.minPrice) } } : {}),
    ...(query.maxPrice !== undefined ? { maxPrice: { amountMinor: BigInt(query.maxPrice) } } : {}),
    attributes: query.attr ?? [],
    sort: query.sort ? SORT_VALUES[query.sort] : ProductSortOrder.UNSPECIFIED,
    pageSize: query.pageSize ?? 0,
    pageToken: query.pageToken ?? "",
    states,
    inStockOnly: query.inStock ?? false,
    view,
  };
}

export function categoryJson(category: Category): z.infer<typeof CategorySchema> {
  return {
    id: category.id,
    parentId: category.parentId || null,
    name: category.name,
    slug: category.slug,
    description: category.description,
    position: category.position,
    depth: category.depth,
    productCount: category.productCount,
    createTime: isoTime(category.createTime),
    updateTime: isoTime(category.updateTime),
  };
}

/**
 * Nests the catalog's flat, depth-first list into a tree, keeping its sibling order. A category
 * whose parent is missing from the list is kept at the top rather than dropped.
 */
export function categoryTree(categories: readonly Category[]): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>();
  for (const category of categories) nodes.set(category.id, { ...categoryJson(category), children: [] });
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

function priceMessage(price: { amountMinor: number; currency?: string }) {
  return { amountMinor: BigInt(price.amountMinor), currency: price.currency ?? "" };
}

export function variantMessage(
  variant: z.infer<typeof VariantCreateSchema> | z.infer<typeof VariantPatchSchema>,
  id = "",
): MessageInitShape<typeof VariantMessage> {
  return {
    id,
    sku: variant.sku ?? "",
    title: variant.title ?? "",
    optionValues: variant.optionValues ?? {},
    ...(variant.price ? { price: priceMessage(variant.price) } : {}),
    weightGrams: variant.weightGrams ?? 0,
  };
}

export function productMessage(
  body: z.infer<typeof ProductCreateSchema> | z.infer<typeof ProductPatchSchema>,
): MessageInitShape<typeof ProductMessage> {
  return {
    slug: body.slug ?? "",
    name: body.name ?? "",
    description: body.description ?? "",
    state: body.state ? STATE_VALUES[body.state] : ProductState.UNSPECIFIED,
    categoryIds: body.categoryIds ?? [],
    attributes: body.attributes ?? [],
    images: (body.images ?? []).map(({ url, altText }) => ({ url, altText: altText ?? "" })),
    variants: "variants" in body ? (body.variants ?? []).map((variant) => variantMessage(variant)) : [],
  };
}

/** JSON field names of a PATCH body → the proto field paths of an update mask. */
export function maskPaths(body: Record<string, unknown>, fields: Record<string, string>): string[] {
  return Object.keys(body)
    .filter((key) => key in fields && body[key] !== undefined)
    .map((key) => fields[key] as string);
}

export const PRODUCT_MASK_FIELDS: Record<string, string> = {
  slug: "slug",
  name: "name",
  description: "description",
  state: "state",
  categoryIds: "category_ids",
  attributes: "attributes",
  images: "images",
};
export const VARIANT_MASK_FIELDS: Record<string, string> = {
  sku: "sku",
  title: "title",
  optionValues: "option_values",
  price: "price",
  weightGrams: "weight_grams",
};
export const CATEGORY_MASK_FIELDS: Record<string, string> = {
  parentId: "parent_id",
  name: "name",
  slug: "slug",
  description: "description",
  position: "position",
};
