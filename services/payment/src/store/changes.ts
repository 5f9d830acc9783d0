import { staleVersion } from "@shopmesh/kit/errors";
import { type OutboxRow, outboxInsert } from "@shopmesh/kit/events";
import { providerPaymentKnown } from "../domain/idempotency.ts";
import type { IntentChange, PaymentIntent } from "../domain/payment-intent.ts";
import { answerValues, type KeyAnswer } from "./idempotency.ts";
import { type Parameters, parameters, type Sql, unnestRows } from "./sql.ts";

/** What one transition writes: staged by Transaction.saveChange, written by writeChange. */
export interface ChangeWrite {
  /** The intent before the transition; undefined for a new one. */
  before: PaymentIntent | undefined;
  change: IntentChange;
  /** The rows of the change's events. */
  outbox: readonly OutboxRow[];
}

/**
 * Writes a transition in one statement: the intent (inserted, or updated over `before`), its
 * refund, its ledger entries, its outbox rows and, when given, the answer of the call's
 * idempotency key, as data-modifying CTEs that each write only when the intent was written. So
 * either all of it is written or none of it, and then it throws:
 *
 * - for a new intent whose provider reference an intent holds already, providerPaymentKnown;
 * - for an intent that is no longer `before` (callers hold its row lock, so this is a bug that
 *   would lose an update), STALE_VERSION.
 *
 * The database's constraints apply as to any write: the CHECKs of the money rules, the ledger's
 * append-only trigger, the foreign keys (checked at the end of the statement, when the intent is
 * there), and the outbox trigger's NOTIFY at commit.
 */
export async function writeChange(sql: Sql, write: ChangeWrite, answer?: KeyAnswer): Promise<void> {
  const p = parameters();
  const { intent, refund, ledger } = write.change;
  const parts = [
    `intent as (${write.before ? updateIntent(p, intent, write.before) : insertIntent(p, intent)})`,
  ];
  const ifWritten = "where exists (select from intent)";
  if (refund) {
    parts.push(`refund as (
      insert into refunds (id, payment_intent_id, amount, currency, reason, provider_reference, create_time)
      select ${p.add(refund.id, "uuid")}, ${p.add(refund.paymentIntentId, "uuid")}, ${p.add(refund.amount, "bigint")},
        ${p.add(refund.currency, "text")}, ${p.add(refund.reason, "text")},
        ${p.add(refund.providerReference, "text")}, ${p.add(refund.createTime, "timestamptz")}
      ${ifWritten})`);
  }
  if (ledger.length > 0) {
    parts.push(`ledger as (
      insert into ledger_entries (id, payment_intent_id, kind, amount, currency, create_time)
      ${unnestRows(p, [
        [ledger.map((e) => e.id), "uuid"],
        [ledger.map((e) => e.paymentIntentId), "uuid"],
        [ledger.map((e) => e.kind), "text"],
        [ledger.map((e) => e.amount), "bigint"],
        [ledger.map((e) => e.currency), "text"],
        [ledger.map((e) => e.createTime), "timestamptz"],
      ])}
      ${ifWritten})`);
  }
  if (write.outbox.length > 0) {
    parts.push(`outbox as (${outboxInsert(p, write.outbox, "exists (select from intent)")})`);
  }
  if (answer) {
    const [response, error, paymentIntentId] = answerValues(answer);
    parts.push(`answer as (
      update idempotency_keys set response = ${p.add(response, "bytea")}, error = ${p.add(error, "jsonb")},
        payment_intent_id = ${p.add(paymentIntentId, "uuid")}
      where method = ${p.add(answer.method, "text")} and key = ${p.add(answer.key, "text")}
        and exists (select from intent)
      returning 1)`);
  }
  const answered = answer ? `, (select count(*)::int from answer) as answered` : "";
  const text = `with ${parts.join(",\n")}\nselect (select count(*)::int from intent) as written${answered}`;
  const { rows } = await sql.query<{ written: number; answered?: number }>(text, p.values);
  const result = rows[0]!;
  if (result.written !== 1) {
    if (write.before) throw staleVersion(`payment intent ${intent.id} changed while it was being updated`);
    // The provider answered with an earlier payment (see providerPaymentKnown): no second intent.
    throw providerPaymentKnown(intent.provider, intent.providerReference);
  }
  if (answer && result.answered !== 1) {
    throw new Error(`idempotency key of ${answer.method} was not claimed in this transaction`);
  }
}

function insertIntent(p: Parameters, intent: PaymentIntent): string {
  return `insert into payment_intents (id, order_id, customer_id, provider, provider_reference, status,
      currency, amount, captured_amount, refunded_amount, card_brand, card_last4, failure_code,
      failure_message, create_time, update_time)
    values (${[
      p.add(intent.id, "uuid"),
      p.add(intent.orderId, "uuid"),
      p.add(intent.customerId, "text"),
      p.add(intent.provider, "text"),
      p.add(intent.providerReference, "text"),
      p.add(intent.status, "text"),
      p.add(intent.currency, "text"),
      p.add(intent.amount, "bigint"),
      p.add(intent.capturedAmount, "bigint"),
      p.add(intent.refundedAmount, "bigint"),
      p.add(intent.brand, "text"),
      p.add(intent.last4, "text"),
      p.add(intent.failureCode, "text"),
      p.add(intent.failureMessage, "text"),
      p.add(intent.createTime, "timestamptz"),
      p.add(intent.updateTime, "timestamptz"),
    ].join(", ")})
    on conflict (provider, provider_reference) where provider_reference <> '' do nothing
    returning id`;
}

/** Status, amounts, failure and update time (the rest never changes), only over `before`. */
function updateIntent(p: Parameters, intent: PaymentIntent, before: PaymentIntent): string {
  return `update payment_intents set status = ${p.add(intent.status, "text")},
      captured_amount = ${p.add(intent.capturedAmount, "bigint")},
      refunded_amount = ${p.add(intent.refundedAmount, "bigint")},
      failure_code = ${p.add(intent.failureCode, "text")},
      failure_message = ${p.add(intent.failureMessage, "text")},
      update_time = ${p.add(intent.updateTime, "timestamptz")}
    where id = ${p.add(intent.id, "uuid")} and status = ${p.add(before.status, "text")}
      and captured_amount = ${p.add(before.capturedAmount, "bigint")}
      and refunded_amount = ${p.add(before.refundedAmount, "bigint")}
    returning id`;
}
