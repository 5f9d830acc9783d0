import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  Category as CategoryMessage,
  Product as ProductMessage,
  ProductSchema,
  SearchFacetsSchema,
  Variant as VariantMessage,
  VariantSummarySchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { CategoryInput } from "../domain/category.ts";
import { stateFromProto, stateToProto } from "../domain/messages.ts";
import type { ProductInput, VariantInput } from "../domain/product.ts";
import type { ProductCard } from "../domain/search.ts";
import type { SearchRows, VariantSummaryRow } from "../store/index.ts";

export {
  categoryMessage,
  productMessage,
  stateFromProto,
  stateToProto,
  variantMessage,
} from "../domain/messages.ts";

/** Proto ↔ domain mapping of catalog's request and response messages, field by field. */

/** What a request's Product says about the product's own fields; an absent product is all empty. */
export function productInputFromProto(message: ProductMessage | undefined): ProductInput {
  return {
    slug: message?.slug ?? "",
    name: message?.name ?? "",
    description: message?.description ?? "",
    state: message ? stateFromProto(message.state) : undefined,
    categoryIds: [...(message?.categoryIds ?? [])],
    attributes: (message?.attributes ?? []).map((a) => ({ name: a.name, value: a.value })),
    images: (message?.images ?? []).map((image) => ({ url: image.url, altText: image.altText })),
  };
}

export function variantInputFromProto(message: VariantMessage | undefined): VariantInput {
  return {
    sku: message?.sku ?? "",
    title: message?.title ?? "",
    optionValues: { ...(message?.optionValues ?? {}) },
    price: message?.price
      ? { amountMinor: message.price.amountMinor, currency: message.price.currency }
      : undefined,
    weightGrams: message?.weightGrams ?? 0,
  };
}

export function categoryInputFromProto(message: CategoryMessage | undefined): CategoryInput {
  return {
    parentId: message?.parentId.trim().toLowerCase() ?? "",
    name: message?.name ?? "",
    slug: message?.slug ?? "",
    description: message?.description ?? "",
    position: message?.position ?? 0,
  };
}

export function variantSummaryToProto(row: VariantSummaryRow): MessageInitShape<typeof VariantSummarySchema> {
  return {
    sku: row.sku,
    variantId: row.variantId,
    productId: row.productId,
    productName: row.productName,
    productSlug: row.productSlug,
    title: row.title,
    price: { amountMinor: BigInt(row.priceMinor), currency: row.currency },
    weightGrams: row.weightGrams,
    imageUrl: row.imageUrl ?? "",
    purchasable: row.state === "active",
  };
}

/**
 * A product in the BASIC view (proto ProductView): the card's fields only; description, the
 * variants, version, the times and the other images stay empty.
 */
export function productCardMessage(card: ProductCard): MessageInitShape<typeof ProductSchema> {
  return {
    id: card.id,
    slug: card.slug,
    name: card.name,
    state: stateToProto(card.state),
    categoryIds: card.categoryIds,
    attributes: card.attributes.map((a) => ({ name: a.name, value: a.value })),
    images: card.image ? [{ url: card.image.url, altText: card.image.altText }] : [],
    ...(card.priceFrom ? { priceFrom: card.priceFrom } : {}),
    ...(card.priceTo ? { priceTo: card.priceTo } : {}),
    variantCount: card.variantCount,
  };
}

/** The facets of a search; price buckets from the 1-based bucket indexes into `edges`. */
export function facetsToProto(
  rows: SearchRows,
  edges: readonly bigint[],
  currency: string,
): MessageInitShape<typeof SearchFacetsSchema> {
  const attributes = new Map<string, { value: string; count: number }[]>();
  for (const row of rows.attributes) {
    const values = attributes.get(row.name) ?? [];
    values.push({ value: row.value, count: row.count });
    attributes.set(row.name, values);
  }
  return {
    categories: rows.categories.map((c) => ({ categoryId: c.id, name: c.name, count: c.count })),
    attributes: [...attributes].map(([name, values]) => ({ name, values })),
    priceBuckets: rows.prices.flatMap(({ bucket, count }) => {
      const min = edges[bucket - 1];
      if (min === undefined) return [];
      const max = edges[bucket];
      return [
        {
          minPrice: { amountMinor: min, currency },
          ...(max !== undefined ? { maxPrice: { amountMinor: max, currency } } : {}),
          count,
        },
      ];
    }),
    inStockCount: rows.inStock,
  };
}
