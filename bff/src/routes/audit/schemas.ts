import { z } from "@hono/zod-openapi";
import { MoneySchema } from "../cart/schemas.ts";

/** Schemas of the audit area (admin surface): the audit log and the dashboard. */

const time = z.string().openapi({ format: "date-time" });
const rfc3339 = z.iso.datetime({ offset: true, error: "must be an RFC 3339 time like 2025-01-31T00:00:00Z" });
const day = z.iso.date({ error: "must be a date like 2025-01-31" });
const count = z.number().int();
const filter = z.string().min(1).max(255);
const DAY_MS = 86_400_000;
/** The dashboard's longest range, as the audit service allows it. */
export const MAX_RANGE_DAYS = 366;

export const AuditEntrySchema = z
  .object({
    sequence: count.openapi({ description: "Position in the log: 1, 2, 3... without gaps" }),
    eventId: z.string(),
    type: z.string().openapi({ example: "shopmesh.order.v1.OrderPlaced" }),
    context: z.string().openapi({ example: "order" }),
    actor: z.string().openapi({ description: '"user:<id>", "service:<name>" or ""' }),
    subject: z.string().openapi({ description: "The id of the aggregate the event is about" }),
    time: time.openapi({ description: "When the event happened" }),
    correlationId: z.string(),
    causationId: z.string(),
    summary: z.record(z.string(), z.unknown()).openapi({
      description: "The payload in short: ids, amounts, states; secrets redacted, personal data left out",
    }),
    recordTime: time.openapi({ description: "When the audit log appended it" }),
    previousHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEntry");

export const AuditListSchema = z
  .object({ entries: z.array(AuditEntrySchema), nextPageToken: z.string().optional() })
  .openapi("AuditEntryList");

export const AuditQuerySchema = z
  .object({
    actor: filter.optional().openapi({ example: "user:0190a000-0000-7000-8000-000000000001" }),
    subject: filter.optional().openapi({ description: "An aggregate id (order, user, product...)" }),
    type: filter
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.?$/,
        "must be an event type or a package ending in .",
      )
      .optional()
      .openapi({
        description: 'An event type, or a package ending in "." for all of its events',
        example: "shopmesh.order.v1.",
      }),
    correlationId: filter.optional(),
    from: rfc3339.optional().openapi({ description: "Events at or after (RFC 3339)" }),
    to: rfc3339.optional().openapi({ description: "Events before (RFC 3339)" }),
    pageSize: z.coerce.number().int().min(1).max(500).optional().openapi({ example: 50 }),
    pageToken: z.string().max(1000).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from))
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
  });

export const VerificationSchema = z
  .object({
    valid: z.boolean(),
    entriesChecked: count,
    firstBrokenSequence: count.optional().openapi({ description: "Set when the chain is broken" }),
    breakKind: z
      .enum(["hash_mismatch", "link_mismatch", "sequence_gap", "head_mismatch"])
      .optional()
      .openapi({ description: "Why: an entry changed, re-linked, deleted, or the end of the log moved" }),
    detail: z.string(),
    headSequence: count,
    headHash: z
      .string()
      .openapi({ description: "Keep it elsewhere: a chain rewritten as a whole ends in another hash" }),
  })
  .openapi("AuditVerification");

export const DashboardQuerySchema = z
  .object({
    from: day.optional().openapi({ description: "First day (UTC), default 29 days before `to`" }),
    to: day.optional().openapi({ description: "Last day (UTC), default today" }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like EUR")
      .optional()
      .openapi({ description: "Only this currency (signups are not per currency)" }),
    topProducts: z.coerce.number().int().min(1).max(100).optional().openapi({ example: 10 }),
  })
  .superRefine((query, ctx) => {
    if (!query.from || !query.to) return;
    const days = (Date.parse(query.to) - Date.parse(query.from)) / DAY_MS + 1;
    if (days < 1) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if (days > MAX_RANGE_DAYS)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be at most ${MAX_RANGE_DAYS} days after from`,
      });
  });

const orderCounts = {
  ordersPlaced: count.openapi({
    description: "Checkouts started (OrderPlaced), on the day the order was placed",
  }),
  ordersConfirmed: count.openapi({ description: "Of those, confirmed" }),
  ordersFailed: count.openapi({ description: "Of those, failed" }),
  ordersCancelled: count.openapi({ description: "Cancellations, on their day" }),
  revenue: MoneySchema.openapi({ description: "Totals of the confirmed orders, before refunds" }),
  refunded: MoneySchema.openapi({ description: "Refunds, on their day" }),
  averageOrderValue: MoneySchema.openapi({ description: "revenue / ordersConfirmed, rounded half up" }),
};

export const CurrencyTotalsSchema = z
  .object({
    currency: z.string(),
    ...orderCounts,
    netRevenue: MoneySchema.openapi({ description: "revenue - refunded" }),
    checkoutSuccessRate: z
      .number()
      .openapi({ description: "Checkouts that succeeded: ordersConfirmed / ordersPlaced, 0..1" }),
    checkoutConversion: z.number().openapi({
      deprecated: true,
      description:
        "Same as checkoutSuccessRate, kept for older clients; the checkout conversion (carts → orders) is the top-level cartConversion",
    }),
    paymentsFailed: count,
    failedPaymentAmount: MoneySchema,
  })
  .openapi("DashboardCurrencyTotals");

export const DashboardSchema = z
  .object({
    from: z.string().openapi({ example: "2026-01-01" }),
    to: z.string().openapi({ example: "2026-01-30" }),
    totals: z.array(CurrencyTotalsSchema),
    daily: z.array(z.object({ date: z.string(), currency: z.string(), ...orderCounts })),
    signups: count,
    dailySignups: z.array(z.object({ date: z.string(), count })),
    cartsCreated: count.openapi({
      description:
        "Carts created (CartCreated) in the range, every currency; best-effort: a cart whose event could not be published while NATS was down is missing",
    }),
    ordersPlaced: count.openapi({ description: "Orders placed (OrderPlaced) in the range, every currency" }),
    cartConversion: z.number().openapi({
      description:
        "Checkout conversion, carts → orders: ordersPlaced / cartsCreated over the range, 0 without carts. Not per currency (the currency filter does not apply); can exceed 1",
    }),
    dailyCartConversion: z
      .array(z.object({ date: z.string(), cartsCreated: count, ordersPlaced: count, conversion: z.number() }))
      .openapi({ description: "The same per day (UTC), days with carts or orders only, oldest first" }),
    dailyFailedPayments: z.array(
      z.object({ date: z.string(), currency: z.string(), payments: count, amount: MoneySchema }),
    ),
    failedOrdersByCode: z.array(z.object({ code: z.string(), count })),
    failedPaymentsByCode: z.array(z.object({ code: z.string(), count })),
    topProducts: z.array(
      z.object({
        sku: z.string(),
        productId: z.string(),
        productName: z.string(),
        currency: z.string(),
        units: count,
        revenue: MoneySchema,
      }),
    ),
    asOf: z.object({
      sequence: count.openapi({ description: "The newest audit entry the figures include" }),
      time: time.optional(),
    }),
  })
  .openapi("Dashboard");
