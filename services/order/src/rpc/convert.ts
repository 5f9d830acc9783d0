import type { Cart } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import type { Address } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import type { CartLineInput } from "../domain/checkout.ts";
import type { PostalAddress } from "../domain/order.ts";

/** Proto → domain mapping of order's requests and of the cart it reads. */

export function addressFromProto(address: Address | undefined): PostalAddress | undefined {
  if (!address) return undefined;
  return {
    recipient: address.recipient,
    line1: address.line1,
    line2: address.line2,
    city: address.city,
    region: address.region,
    postalCode: address.postalCode,
    countryCode: address.countryCode,
    phone: address.phone,
  };
}

/** The cart's lines as checkout reads them. */
export function cartLines(cart: Cart | undefined): CartLineInput[] {
  return (cart?.lines ?? []).map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    productId: line.productId,
    variantId: line.variantId,
    productName: line.productName,
    title: line.title,
    unitPriceMinor: line.unitPrice?.amountMinor ?? 0n,
    currency: line.unitPrice?.currency ?? "",
    weightGrams: line.weightGrams,
    purchasable: line.purchasable,
  }));
}
