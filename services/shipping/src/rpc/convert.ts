import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Address } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import type { ShippingQuoteSchema } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { PostalAddress } from "../domain/address.ts";
import type { ParcelItem } from "../domain/parcel.ts";
import type { Quote } from "../domain/rates.ts";
import { methodToProto } from "../domain/shipment-message.ts";

/**
 * Proto ↔ domain mapping of shipping's requests and quotes. Shipments map beside the aggregate
 * (domain/shipment-message.ts) because events carry the same message as responses.
 */

/** A request's address; undefined when absent. */
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

export function itemsFromProto(
  items: readonly { sku: string; quantity: number; weightGrams: number }[],
): ParcelItem[] {
  return items.map((item) => ({ sku: item.sku, quantity: item.quantity, weightGrams: item.weightGrams }));
}

/** A quote as shopmesh.shipping.v1.ShippingQuote. */
export function quoteMessage(quote: Quote): MessageInitShape<typeof ShippingQuoteSchema> {
  return {
    method: methodToProto(quote.method),
    zone: quote.zone,
    weightGrams: quote.weightGrams,
    price: { amountMinor: BigInt(quote.priceMinor), currency: quote.currency },
    minDays: quote.minDays,
    maxDays: quote.maxDays,
  };
}
