import type { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { RpcClient } from "@shopmesh/kit/rpc";
import type { PriceSource, Variant } from "../domain/sources.ts";
import { callPeer } from "./peer-error.ts";

/**
 * Current prices from catalog: one BatchGetVariants call for all the SKUs asked about (none for
 * no SKUs). The cart calls as itself (the client's service token), since catalog's answer does
 * not depend on who the customer is.
 */
export function createCatalogPrices(catalog: RpcClient<typeof CatalogService>): PriceSource {
  return {
    async variants(skus, call = {}) {
      const found = new Map<string, Variant>();
      if (skus.length === 0) return found;
      const { signal, ...context } = call;
      const response = await callPeer("catalog", () =>
        catalog.batchGetVariants({ skus: [...skus] }, { call: context, ...(signal ? { signal } : {}) }),
      );
      for (const variant of response.variants) {
        found.set(variant.sku, {
          sku: variant.sku,
          variantId: variant.variantId,
          productId: variant.productId,
          productName: variant.productName,
          productSlug: variant.productSlug,
          title: variant.title,
          price: {
            amountMinor: variant.price?.amountMinor ?? 0n,
            currency: variant.price?.currency ?? "",
          },
          weightGrams: variant.weightGrams,
          imageUrl: variant.imageUrl,
          // A variant without a price cannot be sold, whatever its product's state.
          purchasable: variant.purchasable && variant.price !== undefined && variant.price.currency !== "",
        });
      }
      return found;
    },
  };
}
