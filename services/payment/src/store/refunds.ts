import type { Refund } from "../domain/payment-intent.ts";
import { type Sql, toBigInt, toDate } from "./sql.ts";

/** Refunds of captured intents; they are written by the statements of changes.ts. */
export interface RefundRepository {
  /** The refunds of these intents, oldest first. */
  listByIntents(intentIds: readonly string[]): Promise<Refund[]>;
}

type RawRefund = Omit<Refund, "amount" | "createTime"> & { amount: unknown; createTime: unknown };

const BY_INTENTS = `select id, payment_intent_id as "paymentIntentId", amount, currency, reason,
    provider_reference as "providerReference", create_time as "createTime"
  from refunds where payment_intent_id = any($1::uuid[]) order by create_time, id`;

export function createRefundRepository(sql: Sql): RefundRepository {
  return {
    async listByIntents(intentIds) {
      if (intentIds.length === 0) return [];
      const { rows } = await sql.query<RawRefund>(BY_INTENTS, [[...intentIds]]);
      return rows.map((row) => ({
        ...row,
        amount: toBigInt(row.amount),
        createTime: toDate(row.createTime),
      }));
    },
  };
}
