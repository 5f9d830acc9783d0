import {
  ReservationReleasedSchema,
  StockAdjustedSchema,
  StockReservedSchema,
  WarehouseUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import type { Db } from "@shopmesh/kit/db";
import { createConsumer, type EventConsumer, type NatsConnection, on } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import type { AvailabilitySync } from "./availability-sync.ts";
import { emSql } from "./store/sql.ts";

/**
 * The inventory events catalog consumes, to keep its projection of availability (the search
 * filter "in stock") current. Each handler only appends marks for the SKUs an event touched: a
 * redelivery only marks them again, which is harmless, so the handlers run without the inbox
 * (one statement per event, no transaction); once the marks are committed, the flusher is woken and reads the absolute availability of every SKU marked
 * meanwhile from inventory in one call (availability-flusher.ts), so order does not matter and a
 * burst of checkouts on one SKU costs one read.
 */

/** The durable consumer's name on inventory's stream. */
export const INVENTORY_CONSUMER = "catalog-availability";

export interface InventoryEventsOptions {
  nats: NatsConnection;
  db: Db;
  prefix: string;
  sync: AvailabilitySync;
  logger: Logger;
  /** Events handled at once; safe because handlers only append marks. Default 4. */
  concurrency?: number;
}

/** The events whose handlers mark SKUs: the flusher is woken after each of them committed. */
const MARKING_TYPES: ReadonlySet<string> = new Set(
  [StockAdjustedSchema, StockReservedSchema, ReservationReleasedSchema].map((schema) => schema.typeName),
);

/** Marking twice is harmless: no inbox row, no transaction. */
const marks = { idempotent: true };

export function createInventoryConsumer(options: InventoryEventsOptions): EventConsumer {
  const { sync } = options;
  const skusOfLines = (lines: readonly { sku: string }[]) => lines.map((line) => line.sku);
  return createConsumer({
    nats: options.nats,
    db: options.db,
    prefix: options.prefix,
    context: "inventory",
    durable: INVENTORY_CONSUMER,
    logger: options.logger,
    concurrency: options.concurrency ?? 4,
    // Reported after the handler's transaction committed: the flusher will see the marks.
    onEvent(outcome) {
      if (outcome.result === "processed" && MARKING_TYPES.has(outcome.type)) sync.wake();
    },
    handlers: [
      on(
        StockAdjustedSchema,
        async (event, em) => {
          const sku = event.data.stockLevel?.sku || event.data.adjustment?.sku || event.subject;
          await sync.mark(emSql(em), sku ? [sku] : []);
        },
        marks,
      ),
      on(
        StockReservedSchema,
        async (event, em) => sync.mark(emSql(em), skusOfLines(event.data.lines)),
        marks,
      ),
      // No handler for ReservationCommitted, on purpose: committing takes the reserved units off
      // the shelf, on_hand and reserved both fall by the line's quantity in the same stock levels
      // (inventory's commitReservation → unreserve(deltas, commit = true)), so available =
      // on_hand − reserved, all catalog projects, does not move. Unhandled, the consumer acks it
      // without a transaction: a checkout's second event costs catalog no SQL and no RPC.
      on(
        ReservationReleasedSchema,
        async (event, em) => sync.mark(emSql(em), skusOfLines(event.data.lines)),
        marks,
      ),
      // A warehouse switched on or off changes the availability of everything it holds, and the
      // event does not list it: every SKU is read again, in the background.
      on(WarehouseUpdatedSchema, async (event) => {
        if (event.data.changedFields.includes("active")) sync.request("all");
      }),
    ],
  });
}
