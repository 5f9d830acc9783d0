import { z } from "@hono/zod-openapi";
import { MoneySchema } from "../cart/schemas.ts";

export const ShippingQuoteQuerySchema = z.object({
  countryCode: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
    .toUpperCase()
    .openapi({ description: "Where the parcel goes (ISO 3166-1 alpha-2)", example: "DE" }),
  postalCode: z.string().trim().max(16).optional().openapi({ example: "10115" }),
});

export const ShippingQuoteSchema = z
  .object({
    method: z.enum(["standard", "express"]),
    zone: z.enum(["domestic", "eu", "world"]).openapi({
      description: "The shop's own country is domestic; EU member states eu; every other country world",
    }),
    price: MoneySchema,
    minDays: z.number().int().openapi({ description: "Business days from shipment to delivery, at least" }),
    maxDays: z.number().int().openapi({ description: "Business days from shipment to delivery, at most" }),
  })
  .openapi("ShippingQuote");

export const CartShippingQuotesSchema = z
  .object({
    countryCode: z.string().openapi({ example: "DE" }),
    weightGrams: z
      .number()
      .int()
      .openapi({ description: "The cart's purchasable lines, unit weight × quantity" }),
    quotes: z
      .array(ShippingQuoteSchema)
      .openapi({ description: "Every method serving the parcel, cheapest first" }),
  })
  .openapi("CartShippingQuotes");
