import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { CartLineSchema, CartSchema } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import type { Money } from "../domain/money.ts";
import type { PricedCart, PricedLine } from "../domain/pricing.ts";

/** Domain → proto mapping of the cart's messages, field by field. */

export function cartToProto(priced: PricedCart, expireTime: Date): MessageInitShape<typeof CartSchema> {
  return {
    id: priced.cart.id,
    userId: priced.cart.userId,
    lines: priced.lines.map(lineToProto),
    subtotal: moneyToProto(priced.subtotal),
    itemCount: priced.itemCount,
    updateTime: timestampFromDate(priced.cart.updateTime),
    expireTime: timestampFromDate(expireTime),
  };
}

/** The cart of a signed-in user who has none yet: no id, nothing in it, nothing to expire. */
export function emptyUserCart(userId: string): MessageInitShape<typeof CartSchema> {
  return { id: "", userId, lines: [], subtotal: { amountMinor: 0n, currency: "" }, itemCount: 0 };
}

function lineToProto(line: PricedLine): MessageInitShape<typeof CartLineSchema> {
  return {
    sku: line.sku,
    quantity: line.quantity,
    productName: line.productName,
    title: line.title,
    imageUrl: line.imageUrl,
    unitPrice: moneyToProto(line.unitPrice),
    lineTotal: moneyToProto(line.lineTotal),
    priceChanged: line.priceChanged,
    priceWhenAdded: moneyToProto(line.priceWhenAdded),
    available: line.available,
    availableQuantity: line.availableQuantity,
    purchasable: line.purchasable,
    productId: line.productId,
    variantId: line.variantId,
    productSlug: line.productSlug,
    weightGrams: line.weightGrams,
    addTime: timestampFromDate(line.addTime),
  };
}

function moneyToProto(money: Money) {
  return { amountMinor: money.amountMinor, currency: money.currency };
}
