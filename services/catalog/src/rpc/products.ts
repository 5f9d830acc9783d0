import { create } from "@bufbuild/protobuf";
import {
  type CatalogService,
  ProductSchema,
  ProductState,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { alreadyExists, invalid, notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { resolveFieldMask } from "../domain/field-mask.ts";
import {
  archiveProduct,
  createProduct,
  PRODUCT_WRITABLE,
  type Product,
  type ProductChange,
  updateProduct,
} from "../domain/product.ts";
import { checkSlug, disambiguateSlug } from "../domain/slug.ts";
import { eventMeta } from "../events.ts";
import type { Transaction } from "../store/index.ts";
import { seesAllStates } from "./access.ts";
import { productInputFromProto, productMessage, stateFromProto, variantInputFromProto } from "./convert.ts";
import type { CatalogDeps } from "./deps.ts";
import { check, uuid, version } from "./fields.ts";

type Handlers = ServiceHandlers<typeof CatalogService>;

const EXPORT_BATCH = 100;

/** Products: GetProduct, CreateProduct, UpdateProduct, ArchiveProduct, ExportProducts. */
export function productHandlers(
  deps: CatalogDeps,
): Pick<Handlers, "getProduct" | "createProduct" | "updateProduct" | "archiveProduct" | "exportProducts"> {
  const { store, cache, currency } = deps;

  return {
    async getProduct(request, ctx) {
      const id = request.id.trim().toLowerCase();
      const slug = request.slug.trim();
      if (id === "" && slug === "") throw invalid([{ field: "id", description: "is required (or slug)" }]);
      if (id !== "" && slug !== "") {
        throw invalid([{ field: "slug", description: "must be empty when id is given" }]);
      }
      check(id ? uuid(id, "id") : checkSlug(slug, "slug"));
      const key = id ? { id } : { slug };
      let product = await cache.product(key);
      if (!product) {
        const reads = store.read().products;
        const found = id ? await reads.byId(id) : await reads.bySlug(slug);
        if (!found) throw notFound(`product ${id || slug} not found`);
        product = create(ProductSchema, productMessage(found));
        await cache.storeProduct(product);
      }
      // A product the caller may not see is answered like one that does not exist.
      if (product.state !== ProductState.ACTIVE && !seesAllStates(ctx)) {
        throw notFound(`product ${id || slug} not found`);
      }
      return { product };
    },

    async createProduct(request, ctx) {
      const input = productInputFromProto(request.product);
      const variants = (request.product?.variants ?? []).map(variantInputFromProto);
      const id = newId();
      const now = new Date();
      const options = { id, now, currency, newVariantId: newId, field: "product" };
      const product = await store.transaction(async (tx) => {
        let change = createProduct(input, variants, options);
        if (await tx.products.slugTaken(change.product.slug)) {
          if (!change.slugDerived) throw alreadyExists(`another product has the slug ${change.product.slug}`);
          change = createProduct(
            { ...input, slug: disambiguateSlug(change.product.slug, id) },
            variants,
            options,
          );
        }
        await checkCategories(tx, change.product.categoryIds, "product.categoryIds");
        await checkSkus(tx, change.product);
        await tx.products.insert(change.product);
        tx.record(change.events, eventMeta(ctx));
        tx.touchProduct(change.product.id, change.product.version, change.product.slug);
        return change.product;
      });
      return { product: productMessage(product) };
    },

    async updateProduct(request, ctx) {
      const id = request.product?.id.trim().toLowerCase() ?? "";
      const expected = request.product?.version ?? 0n;
      check(uuid(id, "product.id"), version(expected, "product.version", true));
      const selected = resolveFieldMask(request.updateMask?.paths ?? [], PRODUCT_WRITABLE);
      const input = productInputFromProto(request.product);
      const now = new Date();
      const product = await store.transaction(async (tx) => {
        const before = await existing(tx, id);
        const change = updateProduct(before, input, selected, {
          now,
          version: Number(expected),
          field: "product",
        });
        await save(tx, before, change, ctx);
        return change.product;
      });
      return { product: productMessage(product) };
    },

    async archiveProduct(request, ctx) {
      const id = request.id.trim().toLowerCase();
      check(uuid(id, "id"), version(request.version, "version"));
      const now = new Date();
      const product = await store.transaction(async (tx) => {
        const before = await existing(tx, id);
        const change = archiveProduct(before, { now, version: Number(request.version) });
        await save(tx, before, change, ctx);
        return change.product;
      });
      return { product: productMessage(product) };
    },

    async *exportProducts(request, ctx) {
      const categoryId = request.categoryId.trim().toLowerCase();
      const states = request.states.map(stateFromProto);
      check(
        categoryId ? uuid(categoryId, "categoryId") : [],
        states.flatMap((state, i) =>
          state ? [] : [{ field: `states[${i}]`, description: "must be DRAFT, ACTIVE or ARCHIVED" }],
        ),
      );
      const reads = store.read();
      if (categoryId && !(await reads.categories.byId(categoryId))) {
        throw notFound(`category ${categoryId} not found`);
      }
      const filter = { states: states.filter((s) => s !== undefined), ...(categoryId ? { categoryId } : {}) };
      let after: string | undefined;
      for (;;) {
        const batch = await reads.products.list(filter, after, EXPORT_BATCH);
        for (const product of batch) {
          if (ctx.signal.aborted) return;
          yield { product: productMessage(product) };
        }
        if (batch.length < EXPORT_BATCH) return;
        after = batch.at(-1)?.id;
      }
    },
  };
}

/** The product `id`, locked for the transaction; NOT_FOUND when there is none. */
export async function existing(tx: Transaction, id: string): Promise<Product> {
  const product = await tx.products.byId(id, { lock: true });
  if (!product) throw notFound(`product ${id} not found`);
  return product;
}

/**
 * Stores a product change (when it changed anything) with its events, after the checks the
 * database has to answer: slug and SKUs free, categories existing.
 */
export async function save(
  tx: Transaction,
  before: Product,
  change: ProductChange,
  ctx: Parameters<typeof eventMeta>[0],
): Promise<void> {
  if (change.changed.length === 0) return;
  const after = change.product;
  if (after.slug !== before.slug && (await tx.products.slugTaken(after.slug, after.id))) {
    throw alreadyExists(`another product has the slug ${after.slug}`);
  }
  if (change.changed.includes("category_ids")) {
    await checkCategories(tx, after.categoryIds, "product.categoryIds");
  }
  if (change.changed.includes("variants")) await checkSkus(tx, after);
  await tx.products.update(before, after);
  tx.record(change.events, eventMeta(ctx));
  tx.touchProduct(after.id, after.version, before.slug, after.slug);
}

/** INVALID_ARGUMENT naming each listed category that does not exist (the rest stay locked FOR SHARE). */
export async function checkCategories(tx: Transaction, ids: readonly string[], field: string): Promise<void> {
  const found = await tx.categories.existing(ids);
  const violations = ids.flatMap((id, i) =>
    found.has(id) ? [] : [{ field: `${field}[${i}]`, description: `no category has the id ${id}` }],
  );
  if (violations.length > 0) throw invalid(violations);
}

/** ALREADY_EXISTS when another product uses one of the product's SKUs. */
async function checkSkus(tx: Transaction, product: Product): Promise<void> {
  const taken = await tx.products.takenSkus(
    product.variants.map((variant) => variant.sku),
    product.id,
  );
  if (taken.length > 0) throw alreadyExists(`the SKU ${taken.join(", ")} is used by another product`);
}
