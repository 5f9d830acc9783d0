import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";

/**
 * The payment tables as MikroORM entities, for the ORM's metadata. The store does not go through
 * them: its repositories read and write with plain, prepared SQL (sql.ts) and map rows to the
 * domain's records explicitly; the SQL that creates the tables is in migrations.ts.
 */

export const PaymentIntentRow = defineEntity({
  name: "PaymentIntentRow",
  tableName: "payment_intents",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    customerId: p.text(),
    provider: p.text(),
    providerReference: p.text(),
    status: p.text(),
    currency: p.text(),
    amount: p.bigint("bigint"),
    capturedAmount: p.bigint("bigint"),
    refundedAmount: p.bigint("bigint"),
    cardBrand: p.text(),
    cardLast4: p.text(),
    failureCode: p.text(),
    failureMessage: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type PaymentIntentRow = InferEntity<typeof PaymentIntentRow>;

export const RefundRow = defineEntity({
  name: "RefundRow",
  tableName: "refunds",
  properties: {
    id: p.uuid().primary(),
    paymentIntentId: p.uuid(),
    amount: p.bigint("bigint"),
    currency: p.text(),
    reason: p.text(),
    providerReference: p.text(),
    createTime: p.datetime(),
  },
});
export type RefundRow = InferEntity<typeof RefundRow>;

export const LedgerEntryRow = defineEntity({
  name: "LedgerEntryRow",
  tableName: "ledger_entries",
  properties: {
    id: p.uuid().primary(),
    paymentIntentId: p.uuid(),
    kind: p.text(),
    amount: p.bigint("bigint"),
    currency: p.text(),
    createTime: p.datetime(),
  },
});
export type LedgerEntryRow = InferEntity<typeof LedgerEntryRow>;

export const IdempotencyKeyRow = defineEntity({
  name: "IdempotencyKeyRow",
  tableName: "idempotency_keys",
  properties: {
    method: p.text().primary(),
    key: p.text().primary(),
    fingerprint: p.text(),
    response: p.uint8array().strictNullable(),
    error: p.json<Record<string, unknown>>().strictNullable(),
    paymentIntentId: p.uuid().strictNullable(),
    createTime: p.datetime(),
  },
});
export type IdempotencyKeyRow = InferEntity<typeof IdempotencyKeyRow>;

export const WebhookEventRow = defineEntity({
  name: "WebhookEventRow",
  tableName: "webhook_events",
  properties: {
    provider: p.text().primary(),
    eventId: p.text().primary(),
    type: p.text(),
    paymentIntentId: p.uuid().strictNullable(),
    receiveTime: p.datetime(),
  },
});
export type WebhookEventRow = InferEntity<typeof WebhookEventRow>;

/** Every payment entity, for createDb (with the kit's outbox entities). */
export const PAYMENT_ENTITIES = [
  PaymentIntentRow,
  RefundRow,
  LedgerEntryRow,
  IdempotencyKeyRow,
  WebhookEventRow,
];
