import { createSql, type PgPool, type Sql, sqlTransaction } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import { type EventMeta, type OutboxRows, outboxInsertAt, outboxValues } from "@shopmesh/kit/events";
import type { WarehouseStock } from "../domain/allocation.ts";
import type { LowStockAlert } from "../domain/low-stock.ts";
import type { Reservation, StockDelta } from "../domain/reservation.ts";
import { STOCK_LEVELS_RESERVED_CHECK } from "./migrations.ts";
import { type RawReservation, RESERVATION_COLUMNS, toReservation } from "./reservations.ts";
import { FROM_LOCKED_LEVELS, LOCKED_LEVELS, toNumber } from "./sql.ts";

/**
 * The statements of the checkout saga's calls, Reserve and CommitReservation: plain SQL with
 * bind parameters on the pool (the kit's prepared statements, `createSql`), each write a single
 * statement that locks the stock levels it changes in inventory's one lock order, changes them,
 * writes the reservation and its outbox rows (the kit's `createOutboxRows`) and, on its own,
 * commits at once: row locks on hot SKUs are held only while PostgreSQL runs that one statement.
 *
 * All-or-nothing without a transaction around it: a reservation's stock update sets `reserved`
 * from the locked rows and lets the CHECK constraint stock_levels_reserved_check refuse a level
 * that lacks the units, which aborts the whole statement (nothing is written); a commit changes
 * the stock and writes its event only when its reservation row went from ACTIVE to COMMITTED in
 * the same statement.
 */
export interface CheckoutStatements {
  /** What a Reserve starts from, read in one statement without locks. */
  reserveSnapshot(orderId: string, skus: readonly string[]): Promise<ReserveSnapshot>;
  /** An order's reservation, read without a lock. */
  reservation(orderId: string): Promise<Reservation | undefined>;
  /**
   * Writes a new reservation in one statement (its own transaction): adds its units to
   * `reserved`, inserts it and its events, and locks the low-stock alerts of its SKUs while it
   * runs. A duplicate order throws the unique violation of isDuplicateReservation.
   */
  reserve(write: ReservationWrite): Promise<ReserveResult>;
  /**
   * Commits a reservation in one statement (its own transaction): moves it from `from.state` to
   * `to`'s state, takes its units from on hand and reserved, inserts its events. False when it was
   * no longer in `from.state` (released, expired or committed meanwhile): nothing was written.
   */
  commit(change: ReservationCommit): Promise<boolean>;
  /** Runs `fn` in one transaction on one pooled session (see CheckoutTransaction). */
  transaction<T>(fn: (tx: CheckoutTransaction) => Promise<T>): Promise<T>;
}

/** The statements of a Reserve that locks its stock before allocating (low-stock alerts, contention). */
export interface CheckoutTransaction {
  /**
   * Locks every stock level of `skus` in active warehouses, in lock order, and answers what each
   * has available: nothing else changes them until the transaction ends.
   */
  lockStock(skus: readonly string[]): Promise<WarehouseStock[]>;
  /** CheckoutStatements.reserve inside this transaction; the alerts it answers stay locked. */
  reserve(write: ReservationWrite): Promise<ReserveResult>;
  /** Stores the `low` flag of (locked) alerts, with the events their evaluation recorded. */
  saveAlerts(
    alerts: readonly LowStockAlert[],
    events: readonly DomainEvent[],
    meta: EventMeta,
    now: Date,
  ): Promise<void>;
}

export interface ReserveSnapshot {
  /** The order's reservation when it has one already. */
  reservation: Reservation | undefined;
  /** The available units of the SKUs in the active warehouses, for the allocation rule. */
  stock: WarehouseStock[];
  /** True when a SKU has a low-stock alert to evaluate (a threshold, or flagged low). */
  watched: boolean;
}

/** A new ACTIVE reservation with the stock it takes and the events it recorded. */
export interface ReservationWrite {
  reservation: Reservation;
  /** stockDeltas of its lines. */
  deltas: readonly StockDelta[];
  events: readonly DomainEvent[];
  meta: EventMeta;
}

export type ReserveResult =
  /** Written. `alerts`: the SKUs' alerts with a threshold or flagged low, as locked by the statement. */
  | { written: true; alerts: LowStockAlert[] }
  /** A stock level no longer had the units (taken since they were read): nothing was written. */
  | { written: false };

/** A reservation's commit: the reservation as read, as committed, its stock and events. */
export interface ReservationCommit {
  from: Reservation;
  to: Reservation;
  /** stockDeltas of its lines. */
  deltas: readonly StockDelta[];
  events: readonly DomainEvent[];
  meta: EventMeta;
}

/** SQLSTATE check_violation. */
const CHECK_VIOLATION = "23514";

const RESERVE_SNAPSHOT = `select ${RESERVATION_COLUMNS},
      (select coalesce(json_agg(json_build_object('sku', s.sku, 'warehouseId', s.warehouse_id, 'code', w.code,
          'priority', w.priority, 'available', s.on_hand - s.reserved)), '[]')
       from stock_levels s join warehouses w on w.id = s.warehouse_id
       where s.sku = any ($2::text[]) and w.active) as stock,
      exists (select from low_stock_alerts a where a.sku = any ($2::text[]) and (a.threshold > 0 or a.low)) as watched
    from (select) as one left join reservations on order_id = $1::uuid`;

const RESERVATION = `select ${RESERVATION_COLUMNS} from reservations where order_id = $1::uuid`;

const LOCK_STOCK = `select s.sku, s.warehouse_id as "warehouseId", w.code, w.priority, s.on_hand - s.reserved as available
    from stock_levels s join warehouses w on w.id = s.warehouse_id
    where s.sku = any ($1::text[]) and w.active
    order by s.sku, s.warehouse_id
    for update of s`;

// Lock order: stock levels (locked), then alerts (their sku list waits for the whole update);
// the inserts run after the rest of the statement.
const RESERVE = `with v (sku, warehouse_id, quantity) as (
      select * from unnest($1::text[], $2::uuid[], $3::bigint[])
    ),
    ${LOCKED_LEVELS},
    stock as (
      update stock_levels s set on_hand = l.on_hand, reserved = l.reserved + v.quantity, update_time = $4
      ${FROM_LOCKED_LEVELS}
      returning s.sku
    ),
    alerts as (
      select a.sku, a.threshold, a.low from low_stock_alerts a
      where a.sku = any (array(select sku from stock))
      order by a.sku
      for update
    ),
    reservation as (
      insert into reservations (order_id, state, lines, expire_time, release_reason, create_time, update_time)
      values ($5, $6, $7::jsonb, $8, $9, $10, $11)
    ),
    outbox as (${outboxInsertAt(12)})
    select (select count(*) from stock) as reserved,
      (select coalesce(json_agg(json_build_object('sku', sku, 'threshold', threshold, 'low', low)), '[]')
       from alerts where threshold > 0 or low) as alerts`;

// Lock order: the reservation row, then stock levels (v waits for the reservation's update).
const COMMIT = `with reservation as (
      update reservations set state = $2, update_time = $3
      where order_id = $1 and state = $4
      returning order_id
    ),
    v (sku, warehouse_id, quantity) as (
      select * from unnest($5::text[], $6::uuid[], $7::bigint[]) where exists (select from reservation)
    ),
    ${LOCKED_LEVELS},
    stock as (
      update stock_levels s
      set on_hand = l.on_hand - v.quantity, reserved = l.reserved - v.quantity, update_time = $3
      ${FROM_LOCKED_LEVELS}
      returning s.sku
    ),
    outbox as (${outboxInsertAt(8, "exists (select from reservation)")})
    select (select count(*) from reservation) as committed, (select count(*) from stock) as updated`;

const SAVE_ALERTS = `with saved as (
      update low_stock_alerts a set low = v.low, update_time = $3
      from unnest($1::text[], $2::boolean[]) as v (sku, low)
      where a.sku = v.sku
      returning a.sku
    ),
    outbox as (${outboxInsertAt(4)})
    select count(*) as saved from saved`;

type SnapshotRow = Partial<RawReservation> & {
  stock: { sku: string; warehouseId: string; code: string; priority: number; available: unknown }[];
  watched: boolean;
};

export function createCheckoutStatements(options: {
  pool: Promise<PgPool>;
  outboxRows: OutboxRows;
}): CheckoutStatements {
  const { pool, outboxRows } = options;
  const run: Run = async (text, values) => runOn(createSql(await pool), text, values);

  async function reserve(on: Run, write: ReservationWrite): Promise<ReserveResult> {
    const { reservation, deltas } = write;
    const rows = outboxRows(write.events, write.meta);
    let result: { reserved: unknown; alerts: { sku: string; threshold: unknown; low: boolean }[] };
    try {
      [result] = (await on(RESERVE, [
        deltas.map((delta) => delta.sku),
        deltas.map((delta) => delta.warehouseId),
        deltas.map((delta) => delta.quantity),
        reservation.updateTime,
        reservation.orderId,
        reservation.state,
        JSON.stringify(reservation.lines),
        reservation.expireTime,
        reservation.releaseReason,
        reservation.createTime,
        reservation.updateTime,
        ...outboxValues(rows),
      ])) as [typeof result];
    } catch (error) {
      if (isShortStock(error)) return { written: false };
      throw error;
    }
    const reserved = toNumber(result.reserved);
    if (reserved !== deltas.length) {
      // Stock levels are never deleted and every delta names one that was read: a bug.
      throw new Error(`reserve: ${deltas.length - reserved} of ${deltas.length} stock levels are missing`);
    }
    return {
      written: true,
      alerts: result.alerts.map((alert) => ({
        sku: alert.sku,
        threshold: toNumber(alert.threshold),
        low: alert.low,
      })),
    };
  }

  return {
    async reserveSnapshot(orderId, skus) {
      const [row] = (await run(RESERVE_SNAPSHOT, [orderId, [...skus]])) as [SnapshotRow];
      return {
        reservation: row.orderId ? toReservation(row as RawReservation) : undefined,
        stock: row.stock.map((entry) => ({ ...entry, available: toNumber(entry.available) })),
        watched: row.watched,
      };
    },
    async reservation(orderId) {
      const [row] = await run<RawReservation>(RESERVATION, [orderId]);
      return row ? toReservation(row) : undefined;
    },
    reserve: (write) => reserve(run, write),
    async commit(change) {
      const { deltas } = change;
      const rows = outboxRows(change.events, change.meta);
      const [result] = (await run(COMMIT, [
        change.to.orderId,
        change.to.state,
        change.to.updateTime,
        change.from.state,
        deltas.map((delta) => delta.sku),
        deltas.map((delta) => delta.warehouseId),
        deltas.map((delta) => delta.quantity),
        ...outboxValues(rows),
      ])) as [{ committed: unknown; updated: unknown }];
      if (toNumber(result.committed) === 0) return false;
      const updated = toNumber(result.updated);
      if (updated !== deltas.length) {
        throw new Error(`commit: ${deltas.length - updated} of ${deltas.length} stock levels are missing`);
      }
      return true;
    },
    transaction: async (fn) =>
      sqlTransaction(await pool, (sql) => {
        const on: Run = (text, values) => runOn(sql, text, values);
        return fn({
          async lockStock(skus) {
            const rows = await on<WarehouseStock & { available: unknown }>(LOCK_STOCK, [[...skus]]);
            return rows.map((row) => ({ ...row, available: toNumber(row.available) }));
          },
          reserve: (write) => reserve(on, write),
          async saveAlerts(alerts, events, meta, now) {
            const rows = outboxRows(events, meta);
            await on(SAVE_ALERTS, [
              alerts.map((alert) => alert.sku),
              alerts.map((alert) => alert.low),
              now,
              ...outboxValues(rows),
            ]);
          },
        });
      }),
  };
}

/** Runs one of the statements above and answers its rows. */
type Run = <R>(text: string, values: readonly unknown[]) => Promise<R[]>;

async function runOn<R>(sql: Sql, text: string, values: readonly unknown[]): Promise<R[]> {
  return (await sql.query<R>(text, values)).rows;
}

/** True when `error` is stock_levels_reserved_check refusing more reserved units than on hand. */
function isShortStock(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === CHECK_VIOLATION && constraint === STOCK_LEVELS_RESERVED_CHECK;
}
