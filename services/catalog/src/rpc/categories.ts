import { create } from "@bufbuild/protobuf";
import {
  type CatalogService,
  ListCategoriesResponseSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { alreadyExists, invalidField, notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import {
  CATEGORY_WRITABLE,
  type Category,
  createCategory,
  deleteCategory,
  treeOrder,
  updateCategory,
} from "../domain/category.ts";
import { maskIncludes, resolveFieldMask } from "../domain/field-mask.ts";
import { disambiguateSlug } from "../domain/slug.ts";
import { eventMeta } from "../events.ts";
import type { Transaction } from "../store/index.ts";
import { categoryInputFromProto, categoryMessage } from "./convert.ts";
import type { CatalogDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof CatalogService>;

/**
 * The category tree. Every change takes the tree lock first, so concurrent moves cannot build a
 * cycle between them and a category is never created under a subtree that is being moved.
 */
export function categoryHandlers(
  deps: CatalogDeps,
): Pick<Handlers, "listCategories" | "createCategory" | "updateCategory" | "deleteCategory"> {
  const { store, cache } = deps;

  return {
    listCategories() {
      return cache.cached("categories", ListCategoriesResponseSchema, async () => {
        const all = await store.read().categories.all();
        return create(ListCategoriesResponseSchema, {
          categories: treeOrder(all, (item) => item.category).map((item) =>
            categoryMessage(item.category, item.productCount),
          ),
        });
      });
    },

    async createCategory(request, ctx) {
      const input = categoryInputFromProto(request.category);
      if (input.parentId) check(uuid(input.parentId, "category.parentId"));
      const id = newId();
      const now = new Date();
      const category = await store.transaction(async (tx) => {
        await tx.categories.lockTree();
        const parent = input.parentId ? await parentOf(tx, input.parentId) : undefined;
        const options = { id, now, field: "category" };
        let change = createCategory(input, parent, options);
        if (await tx.categories.slugTaken(change.category.slug)) {
          if (!change.slugDerived)
            throw alreadyExists(`another category has the slug ${change.category.slug}`);
          change = createCategory(
            { ...input, slug: disambiguateSlug(change.category.slug, id) },
            parent,
            options,
          );
        }
        await tx.categories.insert(change.category);
        tx.record(change.events, eventMeta(ctx));
        tx.touch();
        return change.category;
      });
      return { category: categoryMessage(category) };
    },

    async updateCategory(request, ctx) {
      const id = request.category?.id.trim().toLowerCase() ?? "";
      check(uuid(id, "category.id"));
      const selected = resolveFieldMask(request.updateMask?.paths ?? [], CATEGORY_WRITABLE);
      const input = categoryInputFromProto(request.category);
      const moving = maskIncludes(selected, "parent_id");
      if (moving && input.parentId) check(uuid(input.parentId, "category.parentId"));
      const now = new Date();
      const category = await store.transaction(async (tx) => {
        await tx.categories.lockTree();
        const before = await tx.categories.byId(id, { lock: "update" });
        if (!before) throw notFound(`category ${id} not found`);
        const parent = moving && input.parentId ? await parentOf(tx, input.parentId) : undefined;
        const change = updateCategory(before, input, selected, {
          now,
          field: "category",
          parent,
          subtreeHeight: moving ? await tx.categories.subtreeHeight(before) : 0,
        });
        const after = change.category;
        if (change.events.length === 0) return after;
        if (after.slug !== before.slug && (await tx.categories.slugTaken(after.slug, id))) {
          throw alreadyExists(`another category has the slug ${after.slug}`);
        }
        await tx.categories.update(before, after);
        // Products are found by the names of their categories and their ancestors.
        if (change.moved || after.name !== before.name) await tx.refreshProductsUnder(after.path);
        tx.record(change.events, eventMeta(ctx));
        tx.touch();
        return after;
      });
      return { category: categoryMessage(category) };
    },

    async deleteCategory(request, ctx) {
      const id = request.id.trim().toLowerCase();
      check(uuid(id, "id"));
      await store.transaction(async (tx) => {
        await tx.categories.lockTree();
        const category = await tx.categories.byId(id, { lock: "update" });
        if (!category) throw notFound(`category ${id} not found`);
        const change = deleteCategory(category, {
          children: await tx.categories.childCount(id),
          products: await tx.products.countInCategory(id),
        });
        await tx.categories.delete(category);
        tx.record(change.events, eventMeta(ctx));
        tx.touch();
      });
      return {};
    },
  };
}

/** The parent a request names, locked FOR SHARE; INVALID_ARGUMENT on category.parentId when there is none. */
async function parentOf(tx: Transaction, parentId: string): Promise<Category> {
  const parent = await tx.categories.byId(parentId, { lock: "share" });
  if (!parent) throw invalidField("category.parentId", `no category has the id ${parentId}`);
  return parent;
}
