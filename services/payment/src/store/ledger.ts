import type { EntityManager } from "@shopmesh/kit/db";
import type { LedgerEntry, LedgerKind } from "../domain/ledger.ts";
import { toBigInt, toDate } from "./sql.ts";

/** The append-only ledger: entries are added, never changed (the table refuses it). */
export interface LedgerRepository {
  append(entries: readonly LedgerEntry[]): Promise<void>;
  /** The entries of these intents, oldest first. */
  listByIntents(intentIds: readonly string[]): Promise<LedgerEntry[]>;
}

type RawEntry = Omit<LedgerEntry, "amount" | "createTime" | "kind"> & {
  kind: string;
  amount: unknown;
  createTime: unknown;
};

export function createLedgerRepository(em: EntityManager): LedgerRepository {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await em.execute(
        `insert into ledger_entries (id, payment_intent_id, kind, amount, currency, create_time)
         values ${entries.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
        entries.flatMap((e) => [
          e.id,
          e.paymentIntentId,
          e.kind,
          e.amount.toString(),
          e.currency,
          e.createTime,
        ]),
        "run",
      );
    },
    async listByIntents(intentIds) {
      if (intentIds.length === 0) return [];
      const rows = await em.execute<RawEntry[]>(
        `select id, payment_intent_id as "paymentIntentId", kind, amount, currency, create_time as "createTime"
         from ledger_entries where payment_intent_id in (?) order by create_time, id`,
        [[...intentIds]],
      );
      return rows.map((row) => ({
        ...row,
        kind: row.kind as LedgerKind,
        amount: toBigInt(row.amount),
        createTime: toDate(row.createTime),
      }));
    },
  };
}
