import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** The unique constraint on warehouses.code; its violation means the code is taken. */
export const WAREHOUSES_CODE_CONSTRAINT = "warehouses_code_key";
/** The primary key of reservations; its violation means a concurrent Reserve of the same order won. */
export const RESERVATIONS_PKEY = "reservations_pkey";
/** The CHECK that a stock level never holds more reserved units than it has on hand (nor fewer than 0). */
export const STOCK_LEVELS_RESERVED_CHECK = "stock_levels_reserved_check";
/** The unique constraint on adjustments.request_id (the AdjustStock idempotency key). */
export const ADJUSTMENTS_REQUEST_ID_CONSTRAINT = "adjustments_request_id_key";

/**
 * The inventory schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 *
 * SKUs use the "C" collation: byte order, so every transaction locks stock rows in the same
 * (sku, warehouse_id) order and comparisons are cheap.
 */
export const INVENTORY_MIGRATIONS: readonly Migration[] = [
  {
    name: "inventory.0001_initial",
    up: [
      `create table warehouses (
         id uuid primary key,
         code text not null constraint ${WAREHOUSES_CODE_CONSTRAINT} unique,
         name text not null,
         address jsonb not null,
         priority integer not null,
         active boolean not null,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      "create index warehouses_priority_idx on warehouses (priority, code)",

      // The last line of defence against oversell: whatever the code does, a stock level never
      // holds more reserved units than it has.
      `create table stock_levels (
         sku text collate "C" not null,
         warehouse_id uuid not null references warehouses (id),
         on_hand bigint not null,
         reserved bigint not null default 0,
         update_time timestamptz not null,
         primary key (sku, warehouse_id),
         constraint ${STOCK_LEVELS_RESERVED_CHECK} check (reserved >= 0 and reserved <= on_hand)
       )`,
      "create index stock_levels_warehouse_idx on stock_levels (warehouse_id, sku)",

      // One row per SKU with a threshold; `low` is set while LowStock has fired and not re-armed.
      `create table low_stock_alerts (
         sku text collate "C" primary key,
         threshold bigint not null constraint low_stock_alerts_threshold_check check (threshold >= 0),
         low boolean not null default false,
         update_time timestamptz not null
       )`,

      `create table adjustments (
         id uuid primary key,
         sku text collate "C" not null,
         warehouse_id uuid not null references warehouses (id),
         delta bigint not null,
         reason text not null
           constraint adjustments_reason_check
           check (reason in ('received', 'damaged', 'counted', 'returned', 'correction')),
         note text not null default '',
         actor text not null,
         on_hand_after bigint not null,
         request_id text constraint ${ADJUSTMENTS_REQUEST_ID_CONSTRAINT} unique,
         create_time timestamptz not null
       )`,
      // ListAdjustments pages newest first, by SKU, by warehouse or all.
      "create index adjustments_time_idx on adjustments (create_time desc, id desc)",
      "create index adjustments_sku_idx on adjustments (sku, create_time desc, id desc)",
      "create index adjustments_warehouse_idx on adjustments (warehouse_id, create_time desc, id desc)",

      `create table reservations (
         order_id uuid constraint ${RESERVATIONS_PKEY} primary key,
         state text not null
           constraint reservations_state_check check (state in ('active', 'committed', 'released', 'expired')),
         lines jsonb not null,
         expire_time timestamptz not null,
         release_reason text not null default '',
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      // The sweeper's queue: active reservations by expiry.
      "create index reservations_expiry_idx on reservations (expire_time) where state = 'active'",
    ],
  },
];

/** What createDb applies for inventory: the kit's outbox and inbox, then the inventory schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...INVENTORY_MIGRATIONS];
