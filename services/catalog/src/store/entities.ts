import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";
import type { Attribute, Image } from "../domain/product.ts";

/**
 * The catalog tables as MikroORM entities, for writes. Rows are plain column values: the
 * repositories map them to the domain's aggregates and back explicitly; reads on request paths
 * use plain SQL (store/reads.ts). The derived columns of products (search vector, prices,
 * SKUs, filter attributes) are not mapped: store/derived.ts computes them in SQL. The SQL that
 * creates the tables is in migrations.ts.
 */

export const CategoryRow = defineEntity({
  name: "CategoryRow",
  tableName: "categories",
  properties: {
    id: p.uuid().primary(),
    parentId: p.uuid().strictNullable(),
    name: p.text(),
    /** Unique (constraint categories_slug_key). */
    slug: p.text(),
    description: p.text(),
    position: p.integer(),
    depth: p.integer(),
    /** "<root id>/.../<id>/" */
    path: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type CategoryRow = InferEntity<typeof CategoryRow>;

export const ProductRow = defineEntity({
  name: "ProductRow",
  tableName: "products",
  properties: {
    id: p.uuid().primary(),
    /** Unique (constraint products_slug_key). */
    slug: p.text(),
    name: p.text(),
    description: p.text(),
    state: p.text(),
    categoryIds: p.array().columnType("uuid[]"),
    attributes: p.json<Attribute[]>(),
    images: p.json<Image[]>(),
    version: p.bigint("number"),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type ProductRow = InferEntity<typeof ProductRow>;

export const VariantRow = defineEntity({
  name: "VariantRow",
  tableName: "variants",
  properties: {
    id: p.uuid().primary(),
    productId: p.uuid(),
    /** Unique whatever the case (index variants_sku_key on upper(sku)). */
    sku: p.text(),
    title: p.text(),
    optionValues: p.json<Record<string, string>>(),
    priceMinor: p.bigint("bigint"),
    currency: p.text(),
    weightGrams: p.integer(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type VariantRow = InferEntity<typeof VariantRow>;

/** Every catalog entity, for createDb (with the kit's outbox entities). */
export const CATALOG_ENTITIES = [CategoryRow, ProductRow, VariantRow];
