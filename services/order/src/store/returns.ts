import type { EntityManager } from "@shopmesh/kit/db";
import type { Return, ReturnLine, ReturnStatus } from "../domain/returns.ts";
import { toBigInt, toDate } from "./sql.ts";

export interface ReturnRepository {
  byId(id: string, options?: { lock?: boolean }): Promise<Return | undefined>;
  /** Oldest first. */
  ofOrder(orderId: string): Promise<Return[]>;
  insert(ret: Return): Promise<void>;
  save(ret: Return): Promise<void>;
}

const COLUMNS = "id, order_id, status, lines, reason, note, refund_minor, currency, create_time, update_time";

type Raw = Record<string, unknown>;

/** The returns repository on one EntityManager. */
export function createReturnRepository(em: EntityManager): ReturnRepository {
  return {
    async byId(id, options = {}) {
      const rows = await em.execute<Raw[]>(
        `select ${COLUMNS} from returns where id = ?${options.lock ? " for update" : ""}`,
        [id],
      );
      return rows[0] ? toReturn(rows[0]) : undefined;
    },
    async ofOrder(orderId) {
      const rows = await em.execute<Raw[]>(`select ${COLUMNS} from returns where order_id = ? order by id`, [
        orderId,
      ]);
      return rows.map(toReturn);
    },
    async insert(ret) {
      await em.execute(
        `insert into returns (${COLUMNS}) values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)`,
        [
          ret.id,
          ret.orderId,
          ret.status,
          JSON.stringify(ret.lines),
          ret.reason,
          ret.note,
          ret.refundAmount.toString(),
          ret.currency,
          ret.createTime,
          ret.updateTime,
        ],
        "run",
      );
    },
    async save(ret) {
      await em.execute(
        "update returns set status = ?, note = ?, update_time = ? where id = ?",
        [ret.status, ret.note, ret.updateTime, ret.id],
        "run",
      );
    },
  };
}

function toReturn(row: Raw): Return {
  return {
    id: row.id as string,
    orderId: row.order_id as string,
    status: row.status as ReturnStatus,
    lines: row.lines as ReturnLine[],
    reason: row.reason as string,
    note: row.note as string,
    refundAmount: toBigInt(row.refund_minor),
    currency: row.currency as string,
    createTime: toDate(row.create_time),
    updateTime: toDate(row.update_time),
  };
}
