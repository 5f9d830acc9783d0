import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type CategorySchema,
  type ProductSchema,
  ProductState as ProductStateEnum,
  type VariantSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { Category } from "./category.ts";
import type { Product, ProductState, Variant } from "./product.ts";

/**
 * Domain → proto for the messages events carry (and the RPC layer answers with): the same
 * mapping for both, so an event shows a product exactly as GetProduct does.
 */

const STATE_TO_PROTO: Record<ProductState, ProductStateEnum> = {
  draft: ProductStateEnum.DRAFT,
  active: ProductStateEnum.ACTIVE,
  archived: ProductStateEnum.ARCHIVED,
};

export function stateToProto(state: ProductState): ProductStateEnum {
  return STATE_TO_PROTO[state];
}

/** The state of a proto enum value; undefined for UNSPECIFIED and unknown values. */
export function stateFromProto(state: ProductStateEnum): ProductState | undefined {
  return (Object.keys(STATE_TO_PROTO) as ProductState[]).find((name) => STATE_TO_PROTO[name] === state);
}

export function productMessage(product: Product): MessageInitShape<typeof ProductSchema> {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    state: stateToProto(product.state),
    categoryIds: [...product.categoryIds],
    attributes: product.attributes.map((a) => ({ name: a.name, value: a.value })),
    images: product.images.map((image) => ({ url: image.url, altText: image.altText })),
    variants: product.variants.map(variantMessage),
    version: BigInt(product.version),
    createTime: timestampFromDate(product.createTime),
    updateTime: timestampFromDate(product.updateTime),
    ...priceSummary(product.variants.map((variant) => variant.price)),
  };
}

/** price_from, price_to and variant_count of a product whose variants cost `prices`. */
export function priceSummary(prices: readonly { amountMinor: bigint; currency: string }[]): {
  priceFrom?: { amountMinor: bigint; currency: string };
  priceTo?: { amountMinor: bigint; currency: string };
  variantCount: number;
} {
  let low: (typeof prices)[number] | undefined;
  let high: (typeof prices)[number] | undefined;
  for (const price of prices) {
    if (!low || price.amountMinor < low.amountMinor) low = price;
    if (!high || price.amountMinor > high.amountMinor) high = price;
  }
  return {
    ...(low ? { priceFrom: { amountMinor: low.amountMinor, currency: low.currency } } : {}),
    ...(high ? { priceTo: { amountMinor: high.amountMinor, currency: high.currency } } : {}),
    variantCount: prices.length,
  };
}

export function variantMessage(variant: Variant): MessageInitShape<typeof VariantSchema> {
  return {
    id: variant.id,
    sku: variant.sku,
    title: variant.title,
    optionValues: { ...variant.optionValues },
    price: { amountMinor: variant.price.amountMinor, currency: variant.price.currency },
    weightGrams: variant.weightGrams,
  };
}

/** `productCount` is only known to ListCategories. */
export function categoryMessage(
  category: Category,
  productCount = 0,
): MessageInitShape<typeof CategorySchema> {
  return {
    id: category.id,
    parentId: category.parentId ?? "",
    name: category.name,
    slug: category.slug,
    description: category.description,
    position: category.position,
    depth: category.depth,
    productCount,
    createTime: timestampFromDate(category.createTime),
    updateTime: timestampFromDate(category.updateTime),
  };
}
