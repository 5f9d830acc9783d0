import { type Cart, cartCurrency } from "./cart.ts";
import { type Money, plus, sameMoney, times, zero } from "./money.ts";
import type { Stock, Variant } from "./sources.ts";

/** A cart line as a reader sees it: current price, availability and what changed since adding. */
export interface PricedLine {
  sku: string;
  quantity: number;
  productName: string;
  title: string;
  imageUrl: string;
  productId: string;
  variantId: string;
  productSlug: string;
  weightGrams: number;
  /** Catalog's price now; priceWhenAdded when catalog no longer knows the SKU. */
  unitPrice: Money;
  lineTotal: Money;
  priceWhenAdded: Money;
  priceChanged: boolean;
  /** Inventory has `quantity` units or more. */
  available: boolean;
  availableQuantity: bigint;
  /** Catalog sells the SKU now, in the cart's currency. */
  purchasable: boolean;
  addTime: Date;
}

export interface PricedCart {
  cart: Cart;
  lines: PricedLine[];
  /** Sum of the purchasable lines' totals in the cart's currency (zero, currency "" when empty). */
  subtotal: Money;
  /** Sum of all quantities. */
  itemCount: number;
}

/**
 * Prices a cart with what catalog and inventory say now (`variants` and `stock` keyed by SKU;
 * SKUs they do not know are absent). A line is flagged `priceChanged` when its unit price differs
 * from the price when added, not `available` when inventory has fewer units than its quantity,
 * and not `purchasable` when catalog no longer sells it or now prices it in another currency
 * than the cart's; lines that are not purchasable are left out of the subtotal.
 */
export function priceCart(cart: Cart, variants: Map<string, Variant>, stock: Map<string, Stock>): PricedCart {
  const currency = cartCurrency(cart);
  let subtotal = zero(currency);
  let itemCount = 0;
  const lines = cart.lines.map((line): PricedLine => {
    const variant = variants.get(line.sku);
    const unitPrice = variant ? variant.price : line.priceWhenAdded;
    const purchasable = variant?.purchasable === true && unitPrice.currency === currency;
    const units = stock.get(line.sku);
    const availableQuantity = units?.available ?? 0n;
    const lineTotal = times(unitPrice, line.quantity);
    if (purchasable) subtotal = plus(subtotal, lineTotal);
    itemCount += line.quantity;
    return {
      sku: line.sku,
      quantity: line.quantity,
      productName: variant?.productName ?? line.productName,
      title: variant?.title ?? line.title,
      imageUrl: variant?.imageUrl ?? "",
      productId: variant?.productId ?? "",
      variantId: variant?.variantId ?? "",
      productSlug: variant?.productSlug ?? "",
      weightGrams: variant?.weightGrams ?? 0,
      unitPrice,
      lineTotal,
      priceWhenAdded: line.priceWhenAdded,
      priceChanged: !sameMoney(unitPrice, line.priceWhenAdded),
      available: (units?.inStock ?? false) && availableQuantity >= BigInt(line.quantity),
      availableQuantity,
      purchasable,
      addTime: line.addTime,
    };
  });
  return { cart, lines, subtotal, itemCount };
}
