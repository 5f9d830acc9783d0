import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import { alreadyExists, staleVersion } from "@shopmesh/kit/errors";
import type { Product, ProductState, Variant } from "../domain/product.ts";
import { refreshProducts } from "./derived.ts";
import { ProductRow, VariantRow } from "./entities.ts";
import { PRODUCTS_SLUG_CONSTRAINT, VARIANTS_SKU_CONSTRAINT } from "./migrations.ts";
import { selectProducts } from "./product-rows.ts";
import { emSql, pgArray, type Sql } from "./sql.ts";

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the product until the transaction ends (only inside one). */
  lock?: boolean;
}

/** Which products an export walks through. */
export interface ProductListFilter {
  /** Empty for every state. */
  states: readonly ProductState[];
  /** Products listed in this category or a category under it, or all. */
  categoryId?: string;
}

export interface ProductRepository {
  byId(id: string, options?: LockOption): Promise<Product | undefined>;
  bySlug(slug: string, options?: LockOption): Promise<Product | undefined>;
  /** The product holding the variant. */
  byVariantId(variantId: string, options?: LockOption): Promise<Product | undefined>;
  /** Products by id, in the order of `ids`; unknown ids are left out. */
  byIds(ids: readonly string[]): Promise<Product[]>;
  /** True when another product than `exceptId` has the slug. */
  slugTaken(slug: string, exceptId?: string): Promise<boolean>;
  /** Which of `skus` other products than `exceptProductId` use already (compared case-insensitively). */
  takenSkus(skus: readonly string[], exceptProductId?: string): Promise<string[]>;
  /** Throws the domain's alreadyExists() for a taken slug or SKU (also under a race). */
  insert(product: Product): Promise<void>;
  /**
   * Stores `after` over `before`: the product row guarded by the version `before` has (ABORTED
   * STALE_VERSION when a concurrent change got there first) and the variants that differ.
   */
  update(before: Product, after: Product): Promise<void>;
  /** Up to `limit` products after `afterId` in id order. */
  list(filter: ProductListFilter, afterId: string | undefined, limit: number): Promise<Product[]>;
  /** How many products (of any state) are listed in the category. */
  countInCategory(categoryId: string): Promise<number>;
}

export function createProductRepository(
  em: EntityManager,
  sql: Sql,
  searchConfig: string,
): ProductRepository {
  const lockRow = async (where: string, value: string) => {
    await sql(`select id from products where ${where} = ? for update`, [value]);
  };
  const one = async (where: string, value: string, options: LockOption = {}) => {
    if (options.lock) await lockRow(where, value);
    const [product] = await selectProducts(sql, `p.${where} = ?`, [value]);
    return product;
  };
  const refresh = (id: string) => refreshProducts(emSql(em), searchConfig, [id]);

  return {
    byId: (id, options) => one("id", id, options),
    bySlug: (slug, options) => one("slug", slug, options),
    async byVariantId(variantId, options) {
      const [row] = await sql<{ productId: string }>(
        `select product_id as "productId" from variants where id = ?`,
        [variantId],
      );
      return row ? one("id", row.productId, options) : undefined;
    },
    async byIds(ids) {
      if (ids.length === 0) return [];
      const products = await selectProducts(sql, "p.id = any(cast(? as uuid[]))", [pgArray(ids)]);
      const byId = new Map(products.map((product) => [product.id, product]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
    async slugTaken(slug, exceptId) {
      const rows = await sql(
        `select 1 from products where slug = ?${exceptId ? " and id <> cast(? as uuid)" : ""}`,
        exceptId ? [slug, exceptId] : [slug],
      );
      return rows.length > 0;
    },
    async takenSkus(skus, exceptProductId) {
      if (skus.length === 0) return [];
      const rows = await sql<{ sku: string }>(
        `select sku from variants where upper(sku) = any(cast(? as text[]))${
          exceptProductId ? " and product_id <> cast(? as uuid)" : ""
        } order by sku`,
        exceptProductId
          ? [pgArray(skus.map((s) => s.toUpperCase())), exceptProductId]
          : [pgArray(skus.map((s) => s.toUpperCase()))],
      );
      return rows.map((row) => row.sku);
    },
    async insert(product) {
      await guardUnique(async () => {
        await em.insert(ProductRow, toRow(product));
        if (product.variants.length > 0) {
          await em.insertMany(
            VariantRow,
            product.variants.map((variant) => toVariantRow(product, variant)),
          );
        }
      });
      await refresh(product.id);
    },
    async update(before, after) {
      const { id, createTime: _, ...columns } = toRow(after);
      let updated = 0;
      await guardUnique(async () => {
        updated = await em.nativeUpdate(ProductRow, { id, version: before.version }, columns);
      });
      if (updated !== 1) throw staleVersion(`product ${id} changed concurrently: read it again and retry`);
      const previous = new Map(before.variants.map((variant) => [variant.id, variant]));
      const next = new Set(after.variants.map((variant) => variant.id));
      const removed = before.variants.filter((variant) => !next.has(variant.id)).map((variant) => variant.id);
      await guardUnique(async () => {
        if (removed.length > 0) await em.nativeDelete(VariantRow, { id: { $in: removed } });
        for (const variant of after.variants) {
          const old = previous.get(variant.id);
          if (!old) {
            await em.insert(VariantRow, toVariantRow(after, variant));
          } else if (!sameVariant(old, variant)) {
            const {
              id: variantId,
              productId: __,
              createTime: ___,
              ...changes
            } = toVariantRow(after, variant);
            await em.nativeUpdate(VariantRow, { id: variantId }, changes);
          }
        }
      });
      await refresh(id);
    },
    list(filter, afterId, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.states.length > 0) {
        where.push("p.state = any(cast(? as text[]))");
        params.push(pgArray(filter.states));
      }
      if (filter.categoryId !== undefined) {
        where.push("p.category_tree_ids @> array[cast(? as uuid)]");
        params.push(filter.categoryId);
      }
      if (afterId) {
        where.push("p.id > cast(? as uuid)");
        params.push(afterId);
      }
      return selectProducts(
        sql,
        where.length > 0 ? where.join(" and ") : "true",
        params,
        `p.id limit ${Math.max(1, Math.floor(limit))}`,
      );
    },
    async countInCategory(categoryId) {
      const [row] = await sql<{ n: number }>(
        "select count(*)::int as n from products where category_ids @> array[cast(? as uuid)]",
        [categoryId],
      );
      return row?.n ?? 0;
    },
  };
}

/** Unique violations a client can cause, as the domain's ALREADY_EXISTS. */
async function guardUnique(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (isUniqueViolation(error, PRODUCTS_SLUG_CONSTRAINT)) {
      throw alreadyExists("another product has this slug already");
    }
    if (isUniqueViolation(error, VARIANTS_SKU_CONSTRAINT)) {
      throw alreadyExists("a variant with this SKU exists already");
    }
    throw error;
  }
}

function sameVariant(a: Variant, b: Variant): boolean {
  return (
    a.sku === b.sku &&
    a.title === b.title &&
    a.weightGrams === b.weightGrams &&
    a.price.amountMinor === b.price.amountMinor &&
    a.price.currency === b.price.currency &&
    JSON.stringify(Object.entries(a.optionValues).sort()) ===
      JSON.stringify(Object.entries(b.optionValues).sort())
  );
}

function toRow(product: Product): ProductRow {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    state: product.state,
    categoryIds: [...product.categoryIds],
    attributes: product.attributes.map((a) => ({ name: a.name, value: a.value })),
    images: product.images.map((image) => ({ url: image.url, altText: image.altText })),
    version: product.version,
    createTime: product.createTime,
    updateTime: product.updateTime,
  };
}

function toVariantRow(product: Product, variant: Variant): VariantRow {
  return {
    id: variant.id,
    productId: product.id,
    sku: variant.sku,
    title: variant.title,
    optionValues: { ...variant.optionValues },
    priceMinor: variant.price.amountMinor,
    currency: variant.price.currency,
    weightGrams: variant.weightGrams,
    createTime: product.updateTime,
    updateTime: product.updateTime,
  };
}
