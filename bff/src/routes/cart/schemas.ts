import { z } from "@hono/zod-openapi";

export const MoneySchema = z
  .object({
    amountMinor: z
      .number()
      .int()
      .openapi({ description: "In the currency's minor unit (cents)", example: 1999 }),
    currency: z.string().openapi({ example: "EUR" }),
  })
  .openapi("Money");

export const CartLineSchema = z
  .object({
    sku: z.string(),
    quantity: z.number().int(),
    productId: z.string(),
    productSlug: z.string(),
    productName: z.string(),
    title: z.string(),
    imageUrl: z.string(),
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
    priceChanged: z.boolean().openapi({ description: "The price differs from when the line was added" }),
    priceWhenAdded: MoneySchema,
    available: z.boolean().openapi({ description: "In stock for the quantity" }),
    availableQuantity: z.number().int(),
    purchasable: z.boolean(),
  })
  .openapi("CartLine");

export const CartSchema = z
  .object({
    lines: z.array(CartLineSchema),
    subtotal: MoneySchema.nullable(),
    itemCount: z.number().int(),
    expireTime: z.string().optional().openapi({ format: "date-time" }),
  })
  .openapi("Cart");

const sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-'")
  .openapi({ example: "TEE-BLK-M" });
const quantity = z.number().int().min(1).max(99);

export const AddItemSchema = z
  .object({ sku, quantity: quantity.default(1) })
  .strict()
  .openapi("AddCartItem");
export const UpdateItemSchema = z
  .object({ quantity: z.number().int().min(0).max(99).openapi({ description: "0 removes the line" }) })
  .strict()
  .openapi("UpdateCartItem");
export const SkuParamSchema = z.object({ sku: sku.openapi({ param: { name: "sku", in: "path" } }) });
