import type { EntityManager } from "@shopmesh/kit/db";
import type { IdempotencyRecord, StoredError } from "../domain/idempotency.ts";
import { toBytes, toDate } from "./sql.ts";

/** The kept answers of idempotency keys, per (method, key). */
export interface IdempotencyRepository {
  /**
   * Takes the transaction-scoped lock of (method, key): calls with the same key queue here until
   * the holder commits or rolls back, then find its answer (or, after a rollback, try themselves).
   */
  lock(method: string, key: string): Promise<void>;
  find(method: string, key: string): Promise<IdempotencyRecord | undefined>;
  insert(record: IdempotencyRecord): Promise<void>;
  /**
   * Deletes up to `limit` keys created before `before`, oldest first; resolves with how many.
   * Rows another transaction holds are skipped (FOR UPDATE SKIP LOCKED), so replicas pruning at
   * the same time delete different rows and never wait for each other.
   */
  deleteCreatedBefore(before: Date, limit: number): Promise<number>;
}

type RawRecord = {
  method: string;
  key: string;
  fingerprint: string;
  response: unknown;
  error: StoredError | null;
  paymentIntentId: string | null;
  createTime: unknown;
};

/** `schema` namespaces the advisory lock, so services sharing a database never wait for each other. */
export function createIdempotencyRepository(em: EntityManager, schema: string): IdempotencyRepository {
  return {
    async lock(method, key) {
      // A 64-bit hash of the key: a collision only makes two unrelated calls wait for each other.
      await em.execute("select pg_advisory_xact_lock(hashtextextended(?, 0))", [
        `${schema}.idempotency_keys/${method}/${key}`,
      ]);
    },
    async find(method, key) {
      const rows = await em.execute<RawRecord[]>(
        `select method, key, fingerprint, response, error, payment_intent_id as "paymentIntentId",
           create_time as "createTime"
         from idempotency_keys where method = ? and key = ?`,
        [method, key],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        method: row.method,
        key: row.key,
        fingerprint: row.fingerprint,
        outcome:
          row.error !== null
            ? { kind: "error", error: row.error }
            : { kind: "response", response: toBytes(row.response) },
        paymentIntentId: row.paymentIntentId ?? undefined,
        createTime: toDate(row.createTime),
      };
    },
    async insert(record) {
      const { outcome } = record;
      await em.execute(
        `insert into idempotency_keys (method, key, fingerprint, response, error, payment_intent_id, create_time)
         values (?, ?, ?, ?, ?::jsonb, ?, ?)`,
        [
          record.method,
          record.key,
          record.fingerprint,
          outcome.kind === "response" ? Buffer.from(outcome.response) : null,
          outcome.kind === "error" ? JSON.stringify(outcome.error) : null,
          record.paymentIntentId ?? null,
          record.createTime,
        ],
        "run",
      );
    },
    async deleteCreatedBefore(before, limit) {
      const result = await em.execute<{ affectedRows: number }>(
        `delete from idempotency_keys
         where (method, key) in (
           select method, key from idempotency_keys where create_time < ?
           order by create_time limit ? for update skip locked)`,
        [before, limit],
        "run",
      );
      return result.affectedRows;
    },
  };
}
