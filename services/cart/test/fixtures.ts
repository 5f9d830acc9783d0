import type { Variant } from "../src/domain/sources.ts";

/** A purchasable variant priced in EUR, as catalog would describe `sku`; override what a test needs. */
export function variant(sku: string, amountMinor: bigint, overrides: Partial<Variant> = {}): Variant {
  return {
    sku,
    variantId: `v-${sku}`,
    productId: `p-${sku}`,
    productName: `Product ${sku}`,
    productSlug: `product-${sku.toLowerCase()}`,
    title: "Blue / M",
    price: { amountMinor, currency: "EUR" },
    weightGrams: 250,
    imageUrl: `https://img.example/${sku}.jpg`,
    purchasable: true,
    ...overrides,
  };
}
