import type { z } from "@hono/zod-openapi";
import type { CartLine } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { ShippingMethod, type ShippingQuote } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { moneyJson } from "../cart/mappers.ts";
import type { CartShippingQuotesSchema, ShippingQuoteSchema } from "./schemas.ts";

type QuoteJson = z.infer<typeof ShippingQuoteSchema>;

/** What a parcel of the cart's purchasable lines weighs: unit weight × quantity, summed. */
export function cartWeightGrams(lines: readonly CartLine[]): number {
  return lines
    .filter((line) => line.purchasable)
    .reduce((sum, line) => sum + line.weightGrams * line.quantity, 0);
}

function quoteJson(quote: ShippingQuote): QuoteJson {
  return {
    method: quote.method === ShippingMethod.EXPRESS ? "express" : "standard",
    zone: quote.zone as QuoteJson["zone"],
    price: moneyJson(quote.price),
    minDays: quote.minDays,
    maxDays: quote.maxDays,
  };
}

export function cartQuotesJson(
  countryCode: string,
  weightGrams: number,
  quotes: readonly ShippingQuote[],
): z.infer<typeof CartShippingQuotesSchema> {
  return { countryCode, weightGrams, quotes: quotes.map(quoteJson) };
}
