import type { z } from "@hono/zod-openapi";
import type { Cart, CartLine } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import type { Money } from "@shopmesh/contracts/shopmesh/common/v1/money_pb";
import { isoTime } from "../identity/mappers.ts";
import type { CartLineSchema, CartSchema } from "./schemas.ts";

/** Money as JSON: minor units as a number (exact up to 2^53, far beyond any price). */
export function moneyJson(money: Money | undefined): { amountMinor: number; currency: string } {
  return { amountMinor: Number(money?.amountMinor ?? 0n), currency: money?.currency ?? "" };
}

function lineJson(line: CartLine): z.infer<typeof CartLineSchema> {
  return {
    sku: line.sku,
    quantity: line.quantity,
    productId: line.productId,
    productSlug: line.productSlug,
    productName: line.productName,
    title: line.title,
    imageUrl: line.imageUrl,
    unitPrice: moneyJson(line.unitPrice),
    lineTotal: moneyJson(line.lineTotal),
    priceChanged: line.priceChanged,
    priceWhenAdded: moneyJson(line.priceWhenAdded),
    available: line.available,
    availableQuantity: Number(line.availableQuantity),
    purchasable: line.purchasable,
  };
}

export function cartJson(cart: Cart | undefined): z.infer<typeof CartSchema> {
  return {
    lines: (cart?.lines ?? []).map(lineJson),
    subtotal: cart?.subtotal ? moneyJson(cart.subtotal) : null,
    itemCount: cart?.itemCount ?? 0,
    ...(cart?.expireTime ? { expireTime: isoTime(cart.expireTime) } : {}),
  };
}

/** The answer for a visitor who has no cart yet. */
export const EMPTY_CART: z.infer<typeof CartSchema> = { lines: [], subtotal: null, itemCount: 0 };
