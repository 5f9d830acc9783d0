import type {
  CatalogService,
  Product as ProductMessage,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { DomainError, invalidField } from "@shopmesh/kit/errors";
import { toRpcError } from "@shopmesh/kit/errors/rpc";
import { newId } from "@shopmesh/kit/ids";
import { Code, RpcError, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { createProduct, type Product, replaceProduct } from "../domain/product.ts";
import { eventMeta } from "../events.ts";
import type { Transaction } from "../store/index.ts";
import { productInputFromProto, variantInputFromProto } from "./convert.ts";
import type { CatalogDeps } from "./deps.ts";
import { checkCategories, save } from "./products.ts";

type Handlers = ServiceHandlers<typeof CatalogService>;
interface ImportError {
  line: number;
  message: string;
  fields: string[];
}

/**
 * ImportProducts: each row in its own transaction, so a bad row is reported (with its line) and
 * rolled back alone while the good ones stay applied. Only failures that are no row's fault (the
 * database is gone, a bug) end the whole call.
 */
export function importHandlers(deps: CatalogDeps): Pick<Handlers, "importProducts"> {
  const { store, currency } = deps;

  async function importRow(
    message: ProductMessage | undefined,
    ctx: Parameters<typeof eventMeta>[0],
  ): Promise<"created" | "updated"> {
    if (!message) throw invalidField("product", "is required");
    const input = productInputFromProto(message);
    const variants = message.variants.map(variantInputFromProto);
    const slug = input.slug.trim();
    if (slug === "") throw invalidField("product.slug", "is required: import rows are matched by slug");
    const now = new Date();
    return store.transaction(async (tx) => {
      const before = await tx.products.bySlug(slug, { lock: true });
      if (!before) {
        const change = createProduct(input, variants, {
          id: newId(),
          now,
          currency,
          newVariantId: newId,
          field: "product",
        });
        await checkCategories(tx, change.product.categoryIds, "product.categoryIds");
        await checkSkus(tx, change.product);
        await tx.products.insert(change.product);
        tx.record(change.events, eventMeta(ctx));
        tx.touchProduct(change.product.id, change.product.version, change.product.slug);
        return "created";
      }
      const change = replaceProduct(before, input, variants, {
        now,
        currency,
        newVariantId: newId,
        field: "product",
      });
      if (change.changed.includes("variants")) await checkSkus(tx, change.product);
      await save(tx, before, change, ctx);
      return "updated";
    });
  }

  return {
    async importProducts(requests, ctx) {
      let created = 0;
      let updated = 0;
      const errors: ImportError[] = [];
      for await (const request of requests) {
        try {
          if ((await importRow(request.product, ctx)) === "created") created++;
          else updated++;
        } catch (error) {
          errors.push({ line: request.line, ...rowError(error) });
        }
      }
      return { created, updated, failed: errors.length, errors };
    },
  };
}

/** ALREADY_EXISTS naming each variant whose SKU another product uses. */
async function checkSkus(tx: Transaction, product: Product): Promise<void> {
  const taken = await tx.products.takenSkus(
    product.variants.map((variant) => variant.sku),
    product.id,
  );
  if (taken.length === 0) return;
  const upper = new Set(taken.map((sku) => sku.toUpperCase()));
  const violations = product.variants.flatMap((variant, i) =>
    upper.has(variant.sku.toUpperCase())
      ? [{ field: `product.variants[${i}].sku`, description: `${variant.sku} is used by another product` }]
      : [],
  );
  throw new DomainError("already_exists", `the SKU ${taken.join(", ")} is used by another product`, {
    violations,
  });
}

/** What a row's failure tells the importer; rethrows failures that are not the row's. */
function rowError(error: unknown): Omit<ImportError, "line"> {
  if (error instanceof DomainError) {
    return { message: error.message, fields: error.violations.map((v) => v.field) };
  }
  const mapped = toRpcError(error);
  // A lost race (ABORTED) concerns the row; an unavailable database or a bug concerns the call.
  if (mapped instanceof RpcError && mapped.code === Code.Aborted) {
    return { message: mapped.rawMessage, fields: [] };
  }
  throw mapped;
}
