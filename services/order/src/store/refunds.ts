import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import { REFUNDS_KEY_CONSTRAINT } from "./migrations.ts";
import { toBigInt, toDate } from "./sql.ts";

/**
 * A refund of an order, recorded (pending) before payment is asked and completed (done or
 * failed) after. The payment call's idempotency key derives from its id, so finishing a pending
 * refund after a crash never pays twice.
 */
export interface RefundRecord {
  id: string;
  orderId: string;
  /** "staff:<client key>" for RefundOrder, "return:<return id>" for a received return. */
  idempotencyKey: string;
  amount: bigint;
  reason: string;
  actor: string;
  returnId: string | undefined;
  status: "pending" | "done" | "failed";
  failure: string;
  createTime: Date;
  updateTime: Date;
}

export interface RefundRepository {
  byKey(orderId: string, key: string): Promise<RefundRecord | undefined>;
  byId(id: string, options?: { lock?: boolean }): Promise<RefundRecord | undefined>;
  /** The sum of the order's pending refunds: money promised but not yet back. */
  pendingAmount(orderId: string): Promise<bigint>;
  insert(refund: RefundRecord): Promise<void>;
  save(refund: RefundRecord): Promise<void>;
  /** Pending refunds last touched before `before`: the recovery loop finishes them. */
  stale(before: Date, limit: number): Promise<RefundRecord[]>;
}

/** True when `error` is the unique violation of a repeated refund key (a concurrent request won). */
export function isDuplicateRefund(error: unknown): boolean {
  return isUniqueViolation(error, REFUNDS_KEY_CONSTRAINT);
}

const COLUMNS =
  "id, order_id, idempotency_key, amount_minor, reason, actor, return_id, status, failure, create_time, update_time";

type Raw = Record<string, unknown>;

/** The refunds repository on one EntityManager (a transaction's, or a fresh one for reads). */
export function createRefundRepository(em: EntityManager): RefundRepository {
  const one = async (sql: string, params: unknown[]) => {
    const rows = await em.execute<Raw[]>(sql, params);
    return rows[0] ? toRefund(rows[0]) : undefined;
  };
  return {
    byKey: (orderId, key) =>
      one(`select ${COLUMNS} from refunds where order_id = ? and idempotency_key = ?`, [orderId, key]),
    byId: (id, options = {}) =>
      one(`select ${COLUMNS} from refunds where id = ?${options.lock ? " for update" : ""}`, [id]),
    async pendingAmount(orderId) {
      const rows = await em.execute<{ sum: unknown }[]>(
        "select coalesce(sum(amount_minor), 0) as sum from refunds where order_id = ? and status = 'pending'",
        [orderId],
      );
      return toBigInt(rows[0]?.sum ?? 0);
    },
    async insert(refund) {
      await em.execute(
        `insert into refunds (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          refund.id,
          refund.orderId,
          refund.idempotencyKey,
          refund.amount.toString(),
          refund.reason,
          refund.actor,
          refund.returnId ?? null,
          refund.status,
          refund.failure,
          refund.createTime,
          refund.updateTime,
        ],
        "run",
      );
    },
    async save(refund) {
      await em.execute(
        "update refunds set status = ?, failure = ?, update_time = ? where id = ?",
        [refund.status, refund.failure, refund.updateTime, refund.id],
        "run",
      );
    },
    async stale(before, limit) {
      const rows = await em.execute<Raw[]>(
        `select ${COLUMNS} from refunds where status = 'pending' and update_time < ? order by update_time limit ?`,
        [before, limit],
      );
      return rows.map(toRefund);
    },
  };
}

function toRefund(row: Raw): RefundRecord {
  return {
    id: row.id as string,
    orderId: row.order_id as string,
    idempotencyKey: row.idempotency_key as string,
    amount: toBigInt(row.amount_minor),
    reason: row.reason as string,
    actor: row.actor as string,
    returnId: (row.return_id ?? undefined) as string | undefined,
    status: row.status as RefundRecord["status"],
    failure: row.failure as string,
    createTime: toDate(row.create_time),
    updateTime: toDate(row.update_time),
  };
}
