import type { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { invalidField, notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { resolveFieldMask } from "../domain/field-mask.ts";
import { addVariant, removeVariant, updateVariant } from "../domain/product.ts";
import { checkSku, VARIANT_WRITABLE } from "../domain/variant.ts";
import type { Transaction } from "../store/index.ts";
import { productMessage, variantInputFromProto, variantMessage, variantSummaryToProto } from "./convert.ts";
import type { CatalogDeps } from "./deps.ts";
import { check, uuid, version } from "./fields.ts";
import { existing, save } from "./products.ts";

type Handlers = ServiceHandlers<typeof CatalogService>;

/** How many SKUs one BatchGetVariants may ask for: a big cart, with room to spare. */
export const MAX_BATCH_SKUS = 500;

/** Variants: AddVariant, UpdateVariant, RemoveVariant, and BatchGetVariants for other services. */
export function variantHandlers(
  deps: CatalogDeps,
): Pick<Handlers, "addVariant" | "updateVariant" | "removeVariant" | "batchGetVariants"> {
  const { store, currency } = deps;

  return {
    async addVariant(request, ctx) {
      const productId = request.productId.trim().toLowerCase();
      check(uuid(productId, "productId"), version(request.productVersion, "productVersion"));
      const input = variantInputFromProto(request.variant);
      const now = new Date();
      const change = await store.transaction(async (tx) => {
        const before = await existing(tx, productId);
        const change = addVariant(before, input, {
          id: newId(),
          now,
          version: Number(request.productVersion),
          currency,
          field: "variant",
        });
        await save(tx, before, change, ctx);
        return change;
      });
      return { product: productMessage(change.product), variant: variantMessage(change.variant) };
    },

    async updateVariant(request, ctx) {
      const variantId = request.variant?.id.trim().toLowerCase() ?? "";
      check(uuid(variantId, "variant.id"), version(request.productVersion, "productVersion"));
      const selected = resolveFieldMask(request.updateMask?.paths ?? [], VARIANT_WRITABLE);
      const input = variantInputFromProto(request.variant);
      const now = new Date();
      const change = await store.transaction(async (tx) => {
        const before = await productOfVariant(tx, variantId);
        const change = updateVariant(before, variantId, input, selected, {
          now,
          version: Number(request.productVersion),
          currency,
          field: "variant",
        });
        await save(tx, before, change, ctx);
        return change;
      });
      return { product: productMessage(change.product), variant: variantMessage(change.variant) };
    },

    async removeVariant(request, ctx) {
      const variantId = request.variantId.trim().toLowerCase();
      check(uuid(variantId, "variantId"), version(request.productVersion, "productVersion"));
      const now = new Date();
      const product = await store.transaction(async (tx) => {
        const before = await productOfVariant(tx, variantId);
        const change = removeVariant(before, variantId, { now, version: Number(request.productVersion) });
        await save(tx, before, change, ctx);
        return change.product;
      });
      return { product: productMessage(product) };
    },

    async batchGetVariants(request) {
      if (request.skus.length > MAX_BATCH_SKUS) {
        throw invalidField("skus", `must hold at most ${MAX_BATCH_SKUS} SKUs`);
      }
      // A string that cannot be a SKU names no variant: it is simply not in the answer.
      const skus = [...new Set(request.skus)].filter((sku) => checkSku(sku, "skus").length === 0);
      const rows = await store.variantSummaries(skus);
      return { variants: rows.map(variantSummaryToProto) };
    },
  };
}

/** The product holding the variant, locked for the transaction; NOT_FOUND when there is none. */
async function productOfVariant(tx: Transaction, variantId: string) {
  const product = await tx.products.byVariantId(variantId, { lock: true });
  if (!product) throw notFound(`variant ${variantId} not found`);
  return product;
}
