import {
  ReservationCommittedSchema,
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
 * filter "in stock") current. Each handler only names the SKUs an event touched; the sync then
 * re-reads their absolute availability from inventory in the consumer's transaction, together
 * with the inbox row, so a redelivery has no second effect and order does not matter.
 */

/** The durable consumer's name on inventory's stream. */
export const INVENTORY_CONSUMER = "catalog-availability";

export interface InventoryEventsOptions {
  nats: NatsConnection;
  db: Db;
  prefix: string;
  sync: AvailabilitySync;
  logger: Logger;
  /** Events handled at once; safe because writers of one SKU serialise on its row. Default 4. */
  concurrency?: number;
}

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
    handlers: [
      on(StockAdjustedSchema, async (event, em) => {
        const sku = event.data.stockLevel?.sku || event.data.adjustment?.sku || event.subject;
        await sync.refresh(emSql(em), sku ? [sku] : []);
      }),
      on(StockReservedSchema, async (event, em) => {
        await sync.refresh(emSql(em), skusOfLines(event.data.lines));
      }),
      on(ReservationCommittedSchema, async (event, em) => {
        await sync.refresh(emSql(em), skusOfLines(event.data.lines));
      }),
      on(ReservationReleasedSchema, async (event, em) => {
        await sync.refresh(emSql(em), skusOfLines(event.data.lines));
      }),
      // A warehouse switched on or off changes the availability of everything it holds, and the
      // event does not list it: every SKU is read again, in the background.
      on(WarehouseUpdatedSchema, async (event) => {
        if (event.data.changedFields.includes("active")) sync.request("all");
      }),
    ],
  });
}
