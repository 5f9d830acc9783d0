import type { Order, OrderLine } from "../domain/order.ts";
import type { Saga } from "../domain/saga.ts";

/**
 * The columns of the orders and sagas rows: each with its PostgreSQL type and how a record fills
 * it. The ORM's repositories (orders.ts, sagas.ts) and the checkout's single statements
 * (checkout.ts) write rows from these, so a column is mapped once.
 */

/** A column, its type, and its value from a record. */
export type Field<T> = readonly [column: string, type: string, value: (row: T) => unknown];

/** A line as stored: amounts as text, since JSON has no bigint. */
export type StoredLine = Omit<OrderLine, "unitPrice"> & { unitPrice: string };

/** Lines as stored (the lines column): amounts as text. */
export function storedLines(lines: readonly OrderLine[]): StoredLine[] {
  return lines.map((line) => ({ ...line, unitPrice: line.unitPrice.toString() }));
}

/** Every column of an order row, in ORDER_COLUMNS' order. */
export const ORDER_FIELDS: readonly Field<Order>[] = [
  ["id", "uuid", (o) => o.id],
  ["customer_id", "text", (o) => o.customerId],
  ["status", "text", (o) => o.status],
  ["lines", "jsonb", (o) => JSON.stringify(storedLines(o.lines))],
  ["currency", "text", (o) => o.currency],
  ["subtotal_minor", "bigint", (o) => o.subtotal.toString()],
  ["shipping_minor", "bigint", (o) => o.shippingTotal.toString()],
  ["total_minor", "bigint", (o) => o.total.toString()],
  ["refunded_minor", "bigint", (o) => o.refundedTotal.toString()],
  ["shipping_address", "jsonb", (o) => JSON.stringify(o.shippingAddress)],
  ["shipping_method", "text", (o) => o.shippingMethod],
  ["payment_intent_id", "text", (o) => o.paymentIntentId],
  ["payment_brand", "text", (o) => o.paymentBrand],
  ["payment_last4", "text", (o) => o.paymentLast4],
  ["shipment_id", "text", (o) => o.shipmentId],
  ["tracking_number", "text", (o) => o.trackingNumber],
  ["carrier", "text", (o) => o.carrier],
  ["failure_code", "text", (o) => o.failureCode],
  ["failure_reason", "text", (o) => o.failureReason],
  ["idempotency_key", "text", (o) => o.idempotencyKey],
  ["request_fingerprint", "text", (o) => o.requestFingerprint],
  ["ship_time", "timestamptz", (o) => o.shipTime ?? null],
  ["deliver_time", "timestamptz", (o) => o.deliverTime ?? null],
  ["create_time", "timestamptz", (o) => o.createTime],
  ["update_time", "timestamptz", (o) => o.updateTime],
  ["version", "integer", (o) => o.version],
];

/** What never changes once an order is placed; every other column a save writes. */
const ORDER_FIXED = new Set([
  "id",
  "customer_id",
  "currency",
  "subtotal_minor",
  "shipping_address",
  "shipping_method",
  "idempotency_key",
  "request_fingerprint",
  "create_time",
]);
export const ORDER_UPDATE_FIELDS = ORDER_FIELDS.filter(([column]) => !ORDER_FIXED.has(column));

export const ORDER_COLUMNS = ORDER_FIELDS.map(([column]) => column).join(", ");

/** The columns of a saga row but its key, create time and lease. */
export const SAGA_FIELDS: readonly Field<Saga>[] = [
  ["kind", "text", (saga) => saga.kind],
  ["status", "text", (saga) => saga.status],
  ["step", "text", (saga) => saga.step],
  ["failed_step", "text", (saga) => saga.failedStep ?? null],
  ["attempts", "integer", (saga) => saga.attempts],
  ["step_start_time", "timestamptz", (saga) => saga.stepStartTime],
  ["next_attempt_time", "timestamptz", (saga) => saga.nextAttemptTime],
  ["payment_token", "text", (saga) => saga.paymentToken],
  ["payment_wait_until", "timestamptz", (saga) => saga.paymentWaitUntil ?? null],
  ["cancel_actor", "text", (saga) => saga.cancelActor],
  ["cancel_reason", "text", (saga) => saga.cancelReason],
  ["cancel_refund_minor", "bigint", (saga) => saga.cancelRefund.toString()],
  ["failure_code", "text", (saga) => saga.failureCode],
  ["failure_reason", "text", (saga) => saga.failureReason],
  ["update_time", "timestamptz", (saga) => saga.updateTime],
];

/** Makes the placeholder of a value of a type: `?::type` for the ORM, `$n::type` for the kit's Sql. */
export type Placeholder = (value: unknown, type: string) => string;

/** The placeholders of `row`'s fields, comma-separated (for a VALUES list). */
export function valuesOf<T>(fields: readonly Field<T>[], row: T, add: Placeholder): string {
  return fields.map(([, type, value]) => add(value(row), type)).join(", ");
}

/** `column = placeholder` for `row`'s fields, comma-separated (for an UPDATE's SET). */
export function assignmentsOf<T>(fields: readonly Field<T>[], row: T, add: Placeholder): string {
  return fields.map(([column, type, value]) => `${column} = ${add(value(row), type)}`).join(", ");
}

/** Placeholders for the ORM's `em.execute` (`?`, cast), collecting their values in order. */
export function ormPlaceholders(): { values: unknown[]; add: Placeholder } {
  const values: unknown[] = [];
  return {
    values,
    add(value, type) {
      values.push(value);
      return `?::${type}`;
    },
  };
}
