import type { LedgerEntry, LedgerKind } from "../domain/ledger.ts";
import { type Sql, toBigInt, toDate } from "./sql.ts";

/**
 * The append-only ledger: entries are added (by the statements of changes.ts), never changed
 * (the table refuses it).
 */
export interface LedgerRepository {
  /** The entries of these intents, oldest first. */
  listByIntents(intentIds: readonly string[]): Promise<LedgerEntry[]>;
}

type RawEntry = Omit<LedgerEntry, "amount" | "createTime" | "kind"> & {
  kind: string;
  amount: unknown;
  createTime: unknown;
};

const BY_INTENTS = `select id, payment_intent_id as "paymentIntentId", kind, amount, currency,
    create_time as "createTime"
  from ledger_entries where payment_intent_id = any($1::uuid[]) order by create_time, id`;

export function createLedgerRepository(sql: Sql): LedgerRepository {
  return {
    async listByIntents(intentIds) {
      if (intentIds.length === 0) return [];
      const { rows } = await sql.query<RawEntry>(BY_INTENTS, [[...intentIds]]);
      return rows.map((row) => ({
        ...row,
        kind: row.kind as LedgerKind,
        amount: toBigInt(row.amount),
        createTime: toDate(row.createTime),
      }));
    },
  };
}
