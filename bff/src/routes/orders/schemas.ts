import { z } from "@hono/zod-openapi";
import { MoneySchema } from "../cart/schemas.ts";
import { PostalAddressSchema } from "../identity/schemas.ts";

/** Schemas of the orders area: checkout, the customer's orders and returns, the admin console. */

const time = z.string().openapi({ format: "date-time" });
const uuid = z.uuid();

/** Order statuses as the REST API spells them (OrderStatus of shopmesh.order.v1, lower case). */
export const ORDER_STATUSES = [
  "pending",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
  "failed",
  "partially_refunded",
  "refunded",
] as const;
export type OrderStatusName = (typeof ORDER_STATUSES)[number];
export const RETURN_STATUSES = ["requested", "approved", "rejected", "refunded"] as const;
export const SHIPPING_METHODS = ["standard", "express"] as const;
export const PAYMENT_STATUSES = [
  "requires_confirmation",
  "authorized",
  "captured",
  "partially_refunded",
  "refunded",
  "voided",
  "failed",
] as const;
export const LEDGER_KINDS = ["authorization", "capture", "void", "refund"] as const;
export const SHIPMENT_STATUSES = [
  "label_created",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "failed",
  "cancelled",
] as const;

// What a service answers is mapped to these names; "unknown" stands for a value newer than this
// BFF, so a client never sees a wrong status instead.
const named = <T extends readonly [string, ...string[]]>(values: T, name: string) =>
  z.enum([...values, "unknown"]).openapi(name);

export const OrderStatusSchema = named(ORDER_STATUSES, "OrderStatus");
export const ReturnStatusSchema = named(RETURN_STATUSES, "ReturnStatus");
export const ShippingMethodSchema = named(SHIPPING_METHODS, "ShippingMethod");
const PaymentStatusSchema = named(PAYMENT_STATUSES, "PaymentStatus");
const LedgerKindSchema = named(LEDGER_KINDS, "LedgerEntryKind");
const ShipmentStatusSchema = named(SHIPMENT_STATUSES, "ShipmentStatus");

// ---- Orders (answers) ----

export const OrderLineSchema = z
  .object({
    sku: z.string(),
    productId: z.string(),
    variantId: z.string(),
    productName: z.string(),
    title: z.string().openapi({ description: 'The variant\'s title ("Blue / M")' }),
    quantity: z.number().int(),
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
    returnedQuantity: z.number().int().openapi({ description: "Units returned and refunded so far" }),
  })
  .openapi("OrderLine");

export const OrderSchema = z
  .object({
    id: z.string().openapi({ example: "0193a0c4-5b7e-7d2a-9c41-6f0e2b7d9a10" }),
    customerId: z.string(),
    status: OrderStatusSchema,
    lines: z.array(OrderLineSchema),
    itemCount: z.number().int().openapi({ description: "Units over all lines" }),
    subtotal: MoneySchema,
    shippingTotal: MoneySchema,
    total: MoneySchema.openapi({ description: "subtotal + shippingTotal: what is charged" }),
    refundedTotal: MoneySchema.openapi({ description: "What went back to the customer so far" }),
    shippingAddress: PostalAddressSchema,
    shippingMethod: ShippingMethodSchema,
    payment: z
      .object({ intentId: z.string(), brand: z.string(), last4: z.string() })
      .nullable()
      .openapi({ description: "What paid; null until the payment is authorised" }),
    shipment: z
      .object({ id: z.string(), carrier: z.string(), trackingNumber: z.string() })
      .nullable()
      .openapi({ description: "null until the shipment exists" }),
    failure: z
      .object({
        code: z.string().openapi({ example: "PAYMENT_DECLINED" }),
        reason: z.string(),
      })
      .nullable()
      .openapi({
        description:
          "Why checkout failed (status failed): OUT_OF_STOCK, PAYMENT_DECLINED, SHIPPING_UNAVAILABLE, " +
          "DEPENDENCY_UNAVAILABLE, PAYMENT_NOT_CONFIRMED…; nothing is held or charged then",
      }),
    createTime: time,
    updateTime: time,
  })
  .openapi("Order");

export const OrderHistoryEntrySchema = z
  .object({
    from: OrderStatusSchema.nullable().openapi({ description: "null for the order's creation" }),
    to: OrderStatusSchema,
    actor: z.string().openapi({ description: '"user:<id>", "service:<name>" or "system"' }),
    reason: z.string(),
    createTime: time,
  })
  .openapi("OrderHistoryEntry");

export const OrderDetailSchema = OrderSchema.extend({
  history: z.array(OrderHistoryEntrySchema).openapi({ description: "Status changes, oldest first" }),
}).openapi("OrderDetail");

export const OrderListSchema = z
  .object({ orders: z.array(OrderSchema), nextPageToken: z.string().optional() })
  .openapi("OrderList");

/** Mobile's order tile. */
export const OrderSummarySchema = z
  .object({
    id: z.string(),
    status: OrderStatusSchema,
    total: MoneySchema,
    itemCount: z.number().int(),
    firstLineName: z.string().openapi({ description: "The first line's product name", example: "Tee" }),
    createTime: time,
  })
  .openapi("OrderSummary");

export const OrderSummaryListSchema = z
  .object({ orders: z.array(OrderSummarySchema), nextPageToken: z.string().optional() })
  .openapi("OrderSummaryList");

export const ReturnSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    status: ReturnStatusSchema,
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
    reason: z.string(),
    refundAmount: MoneySchema.nullable().openapi({
      description: "What is (or was) refunded for it: the unit prices of the returned units",
    }),
    createTime: time,
    updateTime: time,
  })
  .openapi("Return");

export const ReturnListSchema = z.object({ returns: z.array(ReturnSchema) }).openapi("ReturnList");

export const ReceivedReturnSchema = z
  .object({ return: ReturnSchema, order: OrderSchema })
  .openapi("ReceivedReturn");

// ---- Payments and shipments (admin order detail) ----

export const PaymentIntentSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    providerReference: z.string(),
    status: PaymentStatusSchema,
    amount: MoneySchema.openapi({ description: "The authorised amount" }),
    capturedAmount: MoneySchema,
    refundedAmount: MoneySchema,
    method: z.object({ brand: z.string(), last4: z.string() }).nullable(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    createTime: time,
    updateTime: time,
  })
  .openapi("PaymentIntent");

export const PaymentsSchema = z
  .object({
    intents: z.array(PaymentIntentSchema).openapi({ description: "Oldest first" }),
    refunds: z.array(
      z.object({
        id: z.string(),
        paymentIntentId: z.string(),
        amount: MoneySchema,
        reason: z.string(),
        createTime: time,
      }),
    ),
    ledger: z.array(
      z.object({
        id: z.string(),
        paymentIntentId: z.string(),
        kind: LedgerKindSchema,
        amount: MoneySchema.openapi({ description: "> 0 towards the shop, < 0 back to the customer" }),
        createTime: time,
      }),
    ),
  })
  .openapi("OrderPayments");

export const ShipmentSchema = z
  .object({
    id: z.string(),
    carrier: z.string(),
    trackingNumber: z.string(),
    method: ShippingMethodSchema,
    status: ShipmentStatusSchema,
    address: PostalAddressSchema,
    weightGrams: z.number().int(),
    trackingEvents: z.array(
      z.object({ status: ShipmentStatusSchema, location: z.string(), note: z.string(), eventTime: time }),
    ),
    createTime: time,
    updateTime: time,
  })
  .openapi("Shipment");

export const AdminOrderDetailSchema = OrderDetailSchema.extend({
  payments: PaymentsSchema.nullable().openapi({
    description: "null when the payment service did not answer",
  }),
  shipment: ShipmentSchema.nullable().openapi({ description: "null when the order has no shipment (yet)" }),
  unavailable: z
    .array(z.enum(["payments", "shipment"]))
    .optional()
    .openapi({ description: "Parts left out because their service did not answer; the rest is current" }),
}).openapi("AdminOrderDetail");

// ---- Input ----

const PRINTABLE_ASCII = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header of checkout and refunds (required). */
export const IdempotencyHeadersSchema = z.object({
  "idempotency-key": z
    .string({ error: "is required: send a unique key per attempt, e.g. a UUID" })
    .regex(PRINTABLE_ASCII, "must be 1-255 printable ASCII characters")
    .openapi({
      description:
        "One key per purchase attempt (a UUID): retrying with it never charges twice; the same key " +
        "with another body is refused (422 IDEMPOTENCY_KEY_REUSED)",
      example: "5f0c2b1e-8a7d-4d7e-9f4c-1b2a3c4d5e6f",
    }),
});

const requiredText = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();

export const ShippingAddressInputSchema = z
  .object({
    recipient: requiredText(200),
    line1: requiredText(200),
    line2: optionalText(200),
    city: requiredText(100),
    region: optionalText(100),
    postalCode: requiredText(20),
    countryCode: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code like DE")
      .transform((code) => code.toUpperCase())
      .openapi({ example: "DE" }),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number like +4930123456")
      .optional(),
  })
  .strict()
  .openapi("ShippingAddressInput");

export const CheckoutSchema = z
  .object({
    shippingAddress: ShippingAddressInputSchema,
    shippingMethod: z.enum(SHIPPING_METHODS),
    paymentToken: z.string().min(1, "must not be empty").max(255).openapi({
      description: "The payment provider's token (sandbox: tok_sandbox_visa…)",
      example: "tok_sandbox_visa",
    }),
  })
  .strict()
  .openapi("Checkout");

export const CancelOrderSchema = z
  .object({ reason: optionalText(500) })
  .strict()
  .openapi("CancelOrder");

const sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\s,\p{Cc}]+$/u, "must be 1-64 characters without spaces or commas");

export const ReturnRequestSchema = z
  .object({
    lines: z
      .array(z.object({ sku, quantity: z.number().int().min(1).max(10_000) }).strict())
      .min(1, "must name at least one line")
      .max(100),
    reason: requiredText(500),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.lines.forEach((line, index) => {
      if (seen.has(line.sku))
        ctx.addIssue({ code: "custom", path: ["lines", index, "sku"], message: "appears in another line" });
      seen.add(line.sku);
    });
  })
  .openapi("ReturnRequest");

export const ReviewReturnSchema = z
  .object({ approve: z.boolean(), note: optionalText(500) })
  .strict()
  .openapi("ReviewReturn");

export const RefundSchema = z
  .object({
    amountMinor: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "Left out: everything charged and not yet refunded", example: 500 }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like EUR")
      .optional()
      .openapi({ description: "Default: the order's currency" }),
    reason: requiredText(500),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.currency !== undefined && body.amountMinor === undefined)
      ctx.addIssue({ code: "custom", path: ["currency"], message: "is only allowed with amountMinor" });
  })
  .openapi("Refund");

export const OrderIdParamSchema = z.object({ id: uuid.openapi({ param: { name: "id", in: "path" } }) });
export const ReturnIdParamSchema = OrderIdParamSchema;

export const PageQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).optional().openapi({ example: 20 }),
  pageToken: z.string().max(1000).optional(),
});

/** `status=confirmed&status=shipped` or `status=confirmed,shipped`. */
const statusFilter = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx) => {
    const names = (Array.isArray(value) ? value : [value])
      .flatMap((entry) => entry.split(","))
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
    const unknown = names.filter((name) => !(ORDER_STATUSES as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `unknown status ${unknown.map((name) => `"${name}"`).join(", ")}; use ${ORDER_STATUSES.join(", ")}`,
      });
      return z.NEVER;
    }
    return [...new Set(names)] as OrderStatusName[];
  })
  .openapi({
    param: { name: "status", in: "query", style: "form", explode: true },
    description: "Repeatable or comma-separated (`status=confirmed,shipped`); default every status",
    type: "array",
    items: { type: "string", enum: [...ORDER_STATUSES] },
  });

const rfc3339 = z.iso.datetime({ offset: true, error: "must be an RFC 3339 time like 2025-01-31T00:00:00Z" });
const minor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const AdminOrderQuerySchema = PageQuerySchema.extend({
  status: statusFilter.optional(),
  customerId: uuid.optional(),
  from: rfc3339.optional().openapi({ description: "Placed at or after (RFC 3339)" }),
  to: rfc3339.optional().openapi({ description: "Placed before (RFC 3339)" }),
  minTotal: minor.optional().openapi({ description: "Total at least, in minor units" }),
  maxTotal: minor.min(1).optional().openapi({ description: "Total at most, in minor units" }),
}).superRefine((query, ctx) => {
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to))
    ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
  if (query.minTotal !== undefined && query.maxTotal !== undefined && query.minTotal > query.maxTotal)
    ctx.addIssue({ code: "custom", path: ["maxTotal"], message: "must not be below minTotal" });
});
