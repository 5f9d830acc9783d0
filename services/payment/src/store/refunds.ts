import type { EntityManager } from "@shopmesh/kit/db";
import type { Refund } from "../domain/payment-intent.ts";
import { toBigInt, toDate } from "./sql.ts";

export interface RefundRepository {
  insert(refund: Refund): Promise<void>;
  /** The refunds of these intents, oldest first. */
  listByIntents(intentIds: readonly string[]): Promise<Refund[]>;
}

type RawRefund = Omit<Refund, "amount" | "createTime"> & { amount: unknown; createTime: unknown };

export function createRefundRepository(em: EntityManager): RefundRepository {
  return {
    async insert(refund) {
      await em.execute(
        `insert into refunds (id, payment_intent_id, amount, currency, reason, provider_reference, create_time)
         values (?, ?, ?, ?, ?, ?, ?)`,
        [
          refund.id,
          refund.paymentIntentId,
          refund.amount.toString(),
          refund.currency,
          refund.reason,
          refund.providerReference,
          refund.createTime,
        ],
        "run",
      );
    },
    async listByIntents(intentIds) {
      if (intentIds.length === 0) return [];
      const rows = await em.execute<RawRefund[]>(
        `select id, payment_intent_id as "paymentIntentId", amount, currency, reason,
           provider_reference as "providerReference", create_time as "createTime"
         from refunds where payment_intent_id in (?) order by create_time, id`,
        [[...intentIds]],
      );
      return rows.map((row) => ({
        ...row,
        amount: toBigInt(row.amount),
        createTime: toDate(row.createTime),
      }));
    },
  };
}
