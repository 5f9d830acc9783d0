import type { EntityManager } from "@shopmesh/kit/db";
import { staleVersion } from "@shopmesh/kit/errors";
import { providerPaymentKnown } from "../domain/idempotency.ts";
import type { PaymentIntent, PaymentStatus } from "../domain/payment-intent.ts";
import { type LockOption, toBigInt, toDate } from "./sql.ts";

export interface IntentRepository {
  byId(id: string, options?: LockOption): Promise<PaymentIntent | undefined>;
  /** The intent a provider's webhook is about. */
  byReference(provider: string, reference: string, options?: LockOption): Promise<PaymentIntent | undefined>;
  /** An order's intents, oldest first. */
  listByOrder(orderId: string): Promise<PaymentIntent[]>;
  /**
   * Throws providerPaymentKnown (nothing written) when an intent holds the same provider
   * reference already.
   */
  insert(intent: PaymentIntent): Promise<void>;
  /**
   * Stores status, amounts, failure and update time (the rest never changes), only over the
   * `previous` version: the callers hold the row lock, so a mismatch is a bug that would lose an
   * update, and it throws rather than write.
   */
  update(intent: PaymentIntent, previous: PaymentIntent): Promise<void>;
  /**
   * Locks up to `limit` intents still REQUIRES_CONFIRMATION that were created at or before
   * `createdBefore`, oldest first, skipping rows another transaction holds (a webhook confirming
   * one right now, another replica's sweep).
   */
  claimUnconfirmed(createdBefore: Date, limit: number): Promise<PaymentIntent[]>;
}

const COLUMNS = `id, order_id as "orderId", customer_id as "customerId", provider,
  provider_reference as "providerReference", status, currency, amount,
  captured_amount as "capturedAmount", refunded_amount as "refundedAmount",
  card_brand as "brand", card_last4 as "last4", failure_code as "failureCode",
  failure_message as "failureMessage", create_time as "createTime", update_time as "updateTime"`;

type RawIntent = Omit<
  PaymentIntent,
  "amount" | "capturedAmount" | "refundedAmount" | "createTime" | "updateTime"
> & {
  amount: unknown;
  capturedAmount: unknown;
  refundedAmount: unknown;
  createTime: unknown;
  updateTime: unknown;
};

export function createIntentRepository(em: EntityManager): IntentRepository {
  const select = async (where: string, params: unknown[], lock = false) => {
    const rows = await em.execute<RawIntent[]>(
      `select ${COLUMNS} from payment_intents where ${where}${lock ? " for update" : ""}`,
      params,
    );
    return rows.map(toIntent);
  };
  return {
    async byId(id, options = {}) {
      return (await select("id = ?", [id], options.lock))[0];
    },
    async byReference(provider, reference, options = {}) {
      return (
        await select("provider = ? and provider_reference = ?", [provider, reference], options.lock)
      )[0];
    },
    async listByOrder(orderId) {
      return select("order_id = ? order by create_time, id", [orderId]);
    },
    async insert(intent) {
      // A reference the table holds already means the provider answered with an earlier
      // payment (see providerPaymentKnown); no second intent is made for it.
      const result = await em.execute<{ affectedRows: number }>(
        `insert into payment_intents (id, order_id, customer_id, provider, provider_reference, status,
           currency, amount, captured_amount, refunded_amount, card_brand, card_last4, failure_code,
           failure_message, create_time, update_time)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (provider, provider_reference) where provider_reference <> '' do nothing`,
        [
          intent.id,
          intent.orderId,
          intent.customerId,
          intent.provider,
          intent.providerReference,
          intent.status,
          intent.currency,
          intent.amount.toString(),
          intent.capturedAmount.toString(),
          intent.refundedAmount.toString(),
          intent.brand,
          intent.last4,
          intent.failureCode,
          intent.failureMessage,
          intent.createTime,
          intent.updateTime,
        ],
        "run",
      );
      if (result.affectedRows !== 1) throw providerPaymentKnown(intent.provider, intent.providerReference);
    },
    async update(intent, previous) {
      const result = await em.execute<{ affectedRows: number }>(
        `update payment_intents set status = ?, captured_amount = ?, refunded_amount = ?,
           failure_code = ?, failure_message = ?, update_time = ?
         where id = ? and status = ? and captured_amount = ? and refunded_amount = ?`,
        [
          intent.status,
          intent.capturedAmount.toString(),
          intent.refundedAmount.toString(),
          intent.failureCode,
          intent.failureMessage,
          intent.updateTime,
          intent.id,
          previous.status,
          previous.capturedAmount.toString(),
          previous.refundedAmount.toString(),
        ],
        "run",
      );
      if (result.affectedRows !== 1) {
        throw staleVersion(`payment intent ${intent.id} changed while it was being updated`);
      }
    },
    async claimUnconfirmed(createdBefore, limit) {
      const rows = await em.execute<RawIntent[]>(
        `select ${COLUMNS} from payment_intents
         where status = 'requires_confirmation' and create_time <= ?
         order by create_time limit ?
         for update skip locked`,
        [createdBefore, limit],
      );
      return rows.map(toIntent);
    },
  };
}

function toIntent(row: RawIntent): PaymentIntent {
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
