import type { PaymentIntent, PaymentStatus } from "../domain/payment-intent.ts";
import { type LockOption, type Sql, toBigInt, toDate } from "./sql.ts";

/** Reads of payment intents; they are written by the statements of changes.ts. */
export interface IntentRepository {
  byId(id: string, options?: LockOption): Promise<PaymentIntent | undefined>;
  /** The intent a provider's webhook is about. */
  byReference(provider: string, reference: string, options?: LockOption): Promise<PaymentIntent | undefined>;
  /** An order's intents, oldest first. */
  listByOrder(orderId: string): Promise<PaymentIntent[]>;
  /**
   * Locks up to `limit` intents still REQUIRES_CONFIRMATION that were created at or before
   * `createdBefore`, oldest first, skipping rows another transaction holds (a webhook confirming
   * one right now, another replica's sweep).
   */
  claimUnconfirmed(createdBefore: Date, limit: number): Promise<PaymentIntent[]>;
}

/** The columns of payment_intents as a RawIntent names them. */
export const INTENT_COLUMNS = `id, order_id as "orderId", customer_id as "customerId", provider,
  provider_reference as "providerReference", status, currency, amount,
  captured_amount as "capturedAmount", refunded_amount as "refundedAmount",
  card_brand as "brand", card_last4 as "last4", failure_code as "failureCode",
  failure_message as "failureMessage", create_time as "createTime", update_time as "updateTime"`;

/** A payment_intents row as INTENT_COLUMNS selects it. */
export type RawIntent = Omit<
  PaymentIntent,
  "amount" | "capturedAmount" | "refundedAmount" | "createTime" | "updateTime"
> & {
  amount: unknown;
  capturedAmount: unknown;
  refundedAmount: unknown;
  createTime: unknown;
  updateTime: unknown;
};

const SELECT = `select ${INTENT_COLUMNS} from payment_intents`;
const BY_ID = `${SELECT} where id = $1`;
const BY_REFERENCE = `${SELECT} where provider = $1 and provider_reference = $2`;
const BY_ORDER = `${SELECT} where order_id = $1 order by create_time, id`;
const UNCONFIRMED = `${SELECT}
  where status = 'requires_confirmation' and create_time <= $1
  order by create_time limit $2
  for update skip locked`;

export function createIntentRepository(sql: Sql): IntentRepository {
  const first = async (text: string, values: unknown[]) =>
    (await sql.query<RawIntent>(text, values)).rows.map(toIntent)[0];
  return {
    byId(id, options = {}) {
      return first(options.lock ? `${BY_ID} for update` : BY_ID, [id]);
    },
    byReference(provider, reference, options = {}) {
      return first(options.lock ? `${BY_REFERENCE} for update` : BY_REFERENCE, [provider, reference]);
    },
    async listByOrder(orderId) {
      return (await sql.query<RawIntent>(BY_ORDER, [orderId])).rows.map(toIntent);
    },
    async claimUnconfirmed(createdBefore, limit) {
      return (await sql.query<RawIntent>(UNCONFIRMED, [createdBefore, limit])).rows.map(toIntent);
    },
  };
}

export function toIntent(row: RawIntent): PaymentIntent {
  return {
    id: row.id,
    orderId: row.orderId,
    customerId: row.customerId,
    provider: row.provider,
    providerReference: row.providerReference,
    status: row.status as PaymentStatus,
    currency: row.currency,
    amount: toBigInt(row.amount),
    capturedAmount: toBigInt(row.capturedAmount),
    refundedAmount: toBigInt(row.refundedAmount),
    brand: row.brand,
    last4: row.last4,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}
