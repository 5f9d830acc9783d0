import type { Money } from "./money.ts";

/**
 * What the cart needs from its peers, as the domain sees it. The cart owns no prices and no
 * stock: catalog and inventory do, and src/sources/ adapts their gRPC clients to these
 * interfaces. Each method takes every SKU of a cart at once (one call per cart read).
 */

/** A SKU as catalog sells it now. */
export interface Variant {
  sku: string;
  variantId: string;
  productId: string;
  productName: string;
  productSlug: string;
  /** The variant's title ("Blue / M"). */
  title: string;
  price: Money;
  weightGrams: number;
  imageUrl: string;
  /** False when catalog does not sell it now (product not active, variant disabled). */
  purchasable: boolean;
}

/** Units of a SKU inventory can sell now, over all warehouses. */
export interface Stock {
  sku: string;
  available: bigint;
  inStock: boolean;
}

/** Who asked, forwarded to peers for tracing; and when to give up. */
export interface SourceCall {
  requestId?: string;
  traceparent?: string;
  signal?: AbortSignal;
}

/** Current prices from catalog. */
export interface PriceSource {
  /** The variants of the SKUs catalog knows; unknown SKUs are absent from the map. */
  variants(skus: readonly string[], call?: SourceCall): Promise<Map<string, Variant>>;
}

/** Current availability from inventory. */
export interface StockSource {
  /** The stock of the SKUs inventory knows; unknown SKUs are absent from the map. */
  availability(skus: readonly string[], call?: SourceCall): Promise<Map<string, Stock>>;
}
