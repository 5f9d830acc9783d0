import { pgArray, type Sql } from "./sql.ts";

/** A variant with what other services need of its product (BatchGetVariants). */
export interface VariantSummaryRow {
  sku: string;
  variantId: string;
  productId: string;
  productName: string;
  productSlug: string;
  title: string;
  priceMinor: string;
  currency: string;
  weightGrams: number;
  imageUrl: string | null;
  state: string;
}

/** The variants with exactly these SKUs, whatever their product's state, in SKU order. */
export async function variantSummaries(sql: Sql, skus: readonly string[]): Promise<VariantSummaryRow[]> {
  if (skus.length === 0) return [];
  return sql<VariantSummaryRow>(
    `select v.sku, v.id as "variantId", p.id as "productId", p.name as "productName",
       p.slug as "productSlug", v.title, v.price_minor::text as "priceMinor", v.currency,
       v.weight_grams as "weightGrams", p.images -> 0 ->> 'url' as "imageUrl", p.state
     from variants v join products p on p.id = v.product_id
     where v.sku = any(cast(? as text[]))
     order by v.sku`,
    [pgArray(skus)],
  );
}
