import type { Attribute, Image, Product, ProductState, Variant } from "../domain/product.ts";
import { type Sql, toDate } from "./sql.ts";

/**
 * Reading whole products with plain SQL: the product row and its variants (as one JSON array)
 * in one statement, mapped by hand. Measured 3-4x faster than the ORM's hydration, and this is
 * the path of every uncached product read and every search page.
 */

const PRODUCT_COLUMNS = `
  p.id, p.slug, p.name, p.description, p.state,
  p.category_ids::text[] as "categoryIds", p.attributes, p.images, p.version::text as version,
  p.create_time as "createTime", p.update_time as "updateTime",
  coalesce((
    select json_agg(json_build_object(
      'id', v.id, 'sku', v.sku, 'title', v.title, 'optionValues', v.option_values,
      'priceMinor', v.price_minor::text, 'currency', v.currency, 'weightGrams', v.weight_grams
    ) order by v.id)
    from variants v where v.product_id = p.id
  ), '[]'::json) as variants`;

interface ProductRecord {
  id: string;
  slug: string;
  name: string;
  description: string;
  state: string;
  categoryIds: string[];
  attributes: Attribute[];
  images: Image[];
  version: string;
  createTime: unknown;
  updateTime: unknown;
  variants: {
    id: string;
    sku: string;
    title: string;
    optionValues: Record<string, string>;
    priceMinor: string;
    currency: string;
    weightGrams: number;
  }[];
}

/** Products selected by a WHERE clause over `p` (products), in the order of `orderBy`. */
export async function selectProducts(
  sql: Sql,
  where: string,
  params: readonly unknown[],
  orderBy = "p.id",
): Promise<Product[]> {
  const rows = await sql<ProductRecord>(
    `select ${PRODUCT_COLUMNS} from products p where ${where} order by ${orderBy}`,
    params,
  );
  return rows.map(toProduct);
}

function toProduct(row: ProductRecord): Product {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    state: row.state as ProductState,
    categoryIds: row.categoryIds,
    attributes: row.attributes,
    images: row.images,
    variants: row.variants.map(
      (v): Variant => ({
        id: v.id,
        sku: v.sku,
        title: v.title,
        optionValues: v.optionValues,
        price: { amountMinor: BigInt(v.priceMinor), currency: v.currency },
        weightGrams: v.weightGrams,
      }),
    ),
    version: Number(row.version),
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}
