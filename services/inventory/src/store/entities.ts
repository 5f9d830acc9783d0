import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";
import type { AllocatedLine } from "../domain/allocation.ts";
import type { PostalAddress } from "../domain/warehouse.ts";

/**
 * The inventory tables as MikroORM entities. Rows are plain column values: the repositories of
 * this folder map them to the domain's records explicitly. Stock and reservation changes are
 * raw SQL (row locks, conditional updates); the SQL that creates the tables is in migrations.ts.
 */

export const WarehouseRow = defineEntity({
  name: "WarehouseRow",
  tableName: "warehouses",
  properties: {
    id: p.uuid().primary(),
    /** Unique (constraint warehouses_code_key). */
    code: p.text(),
    name: p.text(),
    address: p.json<PostalAddress>(),
    priority: p.integer(),
    active: p.boolean(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type WarehouseRow = InferEntity<typeof WarehouseRow>;

export const StockLevelRow = defineEntity({
  name: "StockLevelRow",
  tableName: "stock_levels",
  properties: {
    sku: p.text().primary(),
    warehouseId: p.uuid().primary(),
    onHand: p.bigint("number"),
    reserved: p.bigint("number"),
    updateTime: p.datetime(),
  },
});
export type StockLevelRow = InferEntity<typeof StockLevelRow>;

export const LowStockAlertRow = defineEntity({
  name: "LowStockAlertRow",
  tableName: "low_stock_alerts",
  properties: {
    sku: p.text().primary(),
    threshold: p.bigint("number"),
    low: p.boolean(),
    updateTime: p.datetime(),
  },
});
export type LowStockAlertRow = InferEntity<typeof LowStockAlertRow>;

export const AdjustmentRow = defineEntity({
  name: "AdjustmentRow",
  tableName: "adjustments",
  properties: {
    id: p.uuid().primary(),
    sku: p.text(),
    warehouseId: p.uuid(),
    delta: p.bigint("number"),
    reason: p.text(),
    note: p.text(),
    actor: p.text(),
    onHandAfter: p.bigint("number"),
    requestId: p.text().strictNullable(),
    createTime: p.datetime(),
  },
});
export type AdjustmentRow = InferEntity<typeof AdjustmentRow>;

export const ReservationRow = defineEntity({
  name: "ReservationRow",
  tableName: "reservations",
  properties: {
    orderId: p.uuid().primary(),
    state: p.text(),
    lines: p.json<AllocatedLine[]>(),
    expireTime: p.datetime(),
    releaseReason: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type ReservationRow = InferEntity<typeof ReservationRow>;

/** Every inventory entity, for createDb (with the kit's outbox entities). */
export const INVENTORY_ENTITIES = [
  WarehouseRow,
  StockLevelRow,
  LowStockAlertRow,
  AdjustmentRow,
  ReservationRow,
];
