/** Helpers of the raw SQL in this folder. */
export { type LockOption, toDate } from "@shopmesh/kit/db";

/** PostgreSQL bigint and numeric arrive as text; every quantity here is far below 2^53. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** `(?, ?, ?), (?, ?, ?)` for `rows` rows of `width` placeholders, with the casts given per column. */
export function valuesList(rows: number, casts: readonly string[]): string {
  const row = `(${casts.map((cast) => (cast ? `?::${cast}` : "?")).join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}

/**
 * A CTE `locked` of the stock levels a CTE `v (sku, warehouse_id, quantity)` names, locked in
 * inventory's lock order (sku, warehouse id). An `update stock_levels s set ... FROM_LOCKED_LEVELS`
 * computes the new values from these locked rows `l`, never from `s`: PostgreSQL checks CHECK
 * constraints on the row computed from the statement's snapshot before it notices that another
 * transaction changed that row meanwhile (and recomputes it), so a stale `s` could make
 * stock_levels_reserved_check refuse units that are there.
 */
export const LOCKED_LEVELS = `locked as (
    select s.sku, s.warehouse_id, s.on_hand, s.reserved from stock_levels s
    join v on v.sku = s.sku and v.warehouse_id = s.warehouse_id
    order by s.sku, s.warehouse_id
    for update of s
  )`;

/** The FROM and WHERE of an update of the levels in `v` through LOCKED_LEVELS (as `l`). */
export const FROM_LOCKED_LEVELS = `from v join locked l on l.sku = v.sku and l.warehouse_id = v.warehouse_id
  where s.sku = v.sku and s.warehouse_id = v.warehouse_id`;
