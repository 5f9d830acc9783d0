import { type EntityManager, isUniqueViolation, type Sql } from "@shopmesh/kit/db";
import { alreadyExists } from "@shopmesh/kit/errors";
import type { LowStockAlert } from "../domain/low-stock.ts";
import type { StockDelta } from "../domain/reservation.ts";
import type { Adjustment, AdjustmentReason, StockLevel } from "../domain/stock.ts";
import { AdjustmentRow } from "./entities.ts";
import { ADJUSTMENTS_REQUEST_ID_CONSTRAINT } from "./migrations.ts";
import { FROM_LOCKED_LEVELS, LOCKED_LEVELS, toDate, toNumber, valuesList } from "./sql.ts";

/** A stock level with its SKU's low-stock threshold, as listed. */
export interface ListedStockLevel extends StockLevel {
  lowStockThreshold: number;
}

export interface StockLevelFilter {
  sku?: string;
  warehouseId?: string;
}

/** Where a page of stock levels starts: after this (sku, warehouse id). */
export interface StockLevelCursor {
  sku: string;
  warehouseId: string;
}

/** Where a page of adjustments starts: after this (create time, id), newest first. */
export interface AdjustmentCursor {
  createTime: Date;
  id: string;
}

/**
 * Stock levels, adjustments and low-stock alerts. The `lock*` methods take row locks (inside a
 * transaction) always in (sku, warehouse id) order, then alerts in sku order: the one lock
 * order of inventory, so concurrent transactions wait for each other but never deadlock.
 */
export interface StockRepository {
  /** Locks the stock level of a SKU in a warehouse, creating it with 0 units when missing. */
  lockLevel(sku: string, warehouseId: string): Promise<StockLevel>;
  /** Stores the on_hand of a locked level. */
  saveOnHand(level: StockLevel): Promise<void>;
  /**
   * Takes released units back into available: `reserved` goes down. Locks the levels in lock
   * order in the same statement.
   */
  unreserve(deltas: readonly StockDelta[], now: Date): Promise<void>;
  /** Available units per SKU over all active warehouses; SKUs without stock are absent. */
  availability(skus: readonly string[]): Promise<Map<string, number>>;
  /** By (sku, warehouse id), at most `limit`. */
  listLevels(
    filter: StockLevelFilter,
    after: StockLevelCursor | undefined,
    limit: number,
  ): Promise<ListedStockLevel[]>;
  /** Throws alreadyExists() when the request id was used by another adjustment (a race). */
  insertAdjustment(adjustment: Adjustment): Promise<void>;
  adjustmentByRequestId(requestId: string): Promise<Adjustment | undefined>;
  /** Newest first, at most `limit`. */
  listAdjustments(
    filter: StockLevelFilter,
    after: AdjustmentCursor | undefined,
    limit: number,
  ): Promise<Adjustment[]>;
  /** Locks the alerts of those `skus` that have one, in sku order. */
  lockAlerts(skus: readonly string[]): Promise<LowStockAlert[]>;
  /** Sets a SKU's threshold (creating its alert) and locks it; the `low` flag is kept. */
  setThreshold(sku: string, threshold: number, now: Date): Promise<LowStockAlert>;
  saveAlert(alert: LowStockAlert, now: Date): Promise<void>;
  /** The threshold of a SKU; 0 without an alert. */
  threshold(sku: string): Promise<number>;
}

const LEVEL_COLUMNS = `s.sku, s.warehouse_id as "warehouseId", s.on_hand as "onHand", s.reserved, s.update_time as "updateTime"`;

type RawLevel = { sku: string; warehouseId: string; onHand: unknown; reserved: unknown; updateTime: unknown };

/** Stock per SKU across active warehouses (the hot read of carts and the catalog), for SKUs `skus`. */
const availabilityOf = (skus: string) => `select s.sku, sum(s.on_hand - s.reserved) as available
  from stock_levels s join warehouses w on w.id = s.warehouse_id
  where s.sku ${skus} and w.active
  group by s.sku`;
const AVAILABILITY_PREPARED = availabilityOf("= any($1::text[])");
const AVAILABILITY_ORM = availabilityOf("in (?)");

/**
 * Stock levels and adjustments in the unit of work of `em`. With `reads` (outside a
 * transaction), availability runs as a prepared statement on the pool instead of through the ORM.
 */
export function createStockRepository(em: EntityManager, reads?: Sql): StockRepository {
  /**
   * One UPDATE ... FROM (VALUES ...) for many levels, locking them in lock order first (see
   * LOCKED_LEVELS: `set` computes from the locked row `l`). Returns how many rows it changed.
   */
  async function updateLevels(set: string, deltas: readonly StockDelta[], now: Date) {
    if (deltas.length === 0) return 0;
    const result = await em.execute<{ affectedRows: number }>(
      `with v (sku, warehouse_id, quantity) as (values ${valuesList(deltas.length, ["text", "uuid", "bigint"])}),
       ${LOCKED_LEVELS}
       update stock_levels s set ${set}, update_time = ?
       ${FROM_LOCKED_LEVELS}`,
      [...deltas.flatMap((d) => [d.sku, d.warehouseId, d.quantity]), now],
      "run",
    );
    return result.affectedRows;
  }

  return {
    async lockLevel(sku, warehouseId) {
      await em.execute(
        `insert into stock_levels (sku, warehouse_id, on_hand, reserved, update_time)
         values (?, ?, 0, 0, now()) on conflict do nothing`,
        [sku, warehouseId],
        "run",
      );
      const rows = await em.execute<RawLevel[]>(
        `select ${LEVEL_COLUMNS} from stock_levels s where s.sku = ? and s.warehouse_id = ? for update`,
        [sku, warehouseId],
      );
      return toLevel(rows[0] as RawLevel);
    },
    async saveOnHand(level) {
      await em.execute(
        "update stock_levels set on_hand = ?, update_time = ? where sku = ? and warehouse_id = ?",
        [level.onHand, level.updateTime, level.sku, level.warehouseId],
        "run",
      );
    },
    async unreserve(deltas, now) {
      const updated = await updateLevels(
        "on_hand = l.on_hand, reserved = l.reserved - v.quantity",
        deltas,
        now,
      );
      if (updated !== deltas.length) {
        throw new Error(`unreserve: ${deltas.length - updated} of ${deltas.length} stock levels are missing`);
      }
    },
    async availability(skus) {
      const result = new Map<string, number>();
      if (skus.length === 0) return result;
      type Row = { sku: string; available: unknown };
      const rows = reads
        ? (await reads.query<Row>(AVAILABILITY_PREPARED, [[...skus]])).rows
        : await em.execute<Row[]>(AVAILABILITY_ORM, [[...skus]]);
      for (const row of rows) result.set(row.sku, toNumber(row.available));
      return result;
    },
    async listLevels(filter, after, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.sku) {
        where.push("s.sku = ?");
        params.push(filter.sku);
      }
      if (filter.warehouseId) {
        where.push("s.warehouse_id = ?");
        params.push(filter.warehouseId);
      }
      if (after) {
        where.push("(s.sku, s.warehouse_id) > (?, ?::uuid)");
        params.push(after.sku, after.warehouseId);
      }
      const rows = await em.execute<(RawLevel & { lowStockThreshold: unknown })[]>(
        `select ${LEVEL_COLUMNS}, coalesce(a.threshold, 0) as "lowStockThreshold"
         from stock_levels s left join low_stock_alerts a on a.sku = s.sku
         ${where.length ? `where ${where.join(" and ")}` : ""}
         order by s.sku, s.warehouse_id limit ?`,
        [...params, limit],
      );
      return rows.map((row) => ({ ...toLevel(row), lowStockThreshold: toNumber(row.lowStockThreshold) }));
    },
    async insertAdjustment(adjustment) {
      try {
        await em.insert(AdjustmentRow, { ...adjustment });
      } catch (error) {
        if (isUniqueViolation(error, ADJUSTMENTS_REQUEST_ID_CONSTRAINT)) {
          throw alreadyExists(`request id ${adjustment.requestId} was used for another adjustment`);
        }
        throw error;
      }
    },
    async adjustmentByRequestId(requestId) {
      const rows = await em.execute<RawAdjustment[]>(
        `select ${ADJUSTMENT_COLUMNS} from adjustments where request_id = ?`,
        [requestId],
      );
      return rows[0] ? toAdjustment(rows[0]) : undefined;
    },
    async listAdjustments(filter, after, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.sku) {
        where.push("sku = ?");
        params.push(filter.sku);
      }
      if (filter.warehouseId) {
        where.push("warehouse_id = ?");
        params.push(filter.warehouseId);
      }
      if (after) {
        where.push("(create_time, id) < (?, ?::uuid)");
        params.push(after.createTime, after.id);
      }
      const rows = await em.execute<RawAdjustment[]>(
        `select ${ADJUSTMENT_COLUMNS} from adjustments
         ${where.length ? `where ${where.join(" and ")}` : ""}
         order by create_time desc, id desc limit ?`,
        [...params, limit],
      );
      return rows.map(toAdjustment);
    },
    async lockAlerts(skus) {
      if (skus.length === 0) return [];
      const rows = await em.execute<{ sku: string; threshold: unknown; low: boolean }[]>(
        "select sku, threshold, low from low_stock_alerts where sku in (?) order by sku for update",
        [[...skus]],
      );
      return rows.map((row) => ({ sku: row.sku, threshold: toNumber(row.threshold), low: row.low }));
    },
    async setThreshold(sku, threshold, now) {
      const rows = await em.execute<{ low: boolean }[]>(
        `insert into low_stock_alerts (sku, threshold, low, update_time) values (?, ?, false, ?)
         on conflict (sku) do update set threshold = excluded.threshold, update_time = excluded.update_time
         returning low`,
        [sku, threshold, now],
      );
      return { sku, threshold, low: rows[0]?.low ?? false };
    },
    async saveAlert(alert, now) {
      await em.execute(
        "update low_stock_alerts set threshold = ?, low = ?, update_time = ? where sku = ?",
        [alert.threshold, alert.low, now, alert.sku],
        "run",
      );
    },
    async threshold(sku) {
      const rows = await em.execute<{ threshold: unknown }[]>(
        "select threshold from low_stock_alerts where sku = ?",
        [sku],
      );
      return rows[0] ? toNumber(rows[0].threshold) : 0;
    },
  };
}

const ADJUSTMENT_COLUMNS = `id, sku, warehouse_id as "warehouseId", delta, reason, note, actor,
  on_hand_after as "onHandAfter", request_id as "requestId", create_time as "createTime"`;

type RawAdjustment = Omit<Adjustment, "delta" | "onHandAfter" | "createTime"> & {
  delta: unknown;
  onHandAfter: unknown;
  createTime: unknown;
};

function toAdjustment(row: RawAdjustment): Adjustment {
  return {
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouseId,
    delta: toNumber(row.delta),
    reason: row.reason as AdjustmentReason,
    note: row.note,
    actor: row.actor,
    onHandAfter: toNumber(row.onHandAfter),
    requestId: row.requestId,
    createTime: toDate(row.createTime),
  };
}

function toLevel(row: RawLevel): StockLevel {
  return {
    sku: row.sku,
    warehouseId: row.warehouseId,
    onHand: toNumber(row.onHand),
    reserved: toNumber(row.reserved),
    updateTime: toDate(row.updateTime),
  };
}
