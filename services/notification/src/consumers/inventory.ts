import { LowStockSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import {
  createConsumer,
  type EventConsumer,
  eventSubject,
  type HandlerEntry,
  on,
} from "@shopmesh/kit/events";
import { lowStockIntent } from "../domain/intents.ts";
import { type ConsumerDeps, consumerBase, sourceOf } from "./common.ts";

/** The durable consumer's name on the inventory stream. */
export const INVENTORY_CONSUMER = "notification-inventory";

/** Low-stock alerts for the admins. Only LowStock is fetched: the stream's reservations are not ours. */
export function createInventoryConsumer(deps: ConsumerDeps): EventConsumer {
  const handlers: HandlerEntry[] = [
    on(LowStockSchema, async (event, em) => {
      await deps.intake.accept(deps.store.within(em), lowStockIntent(event.data, event.id), sourceOf(event));
    }),
  ];
  return createConsumer({
    ...consumerBase(deps, INVENTORY_CONSUMER),
    context: "inventory",
    filterSubject: eventSubject(deps.prefix, "inventory", LowStockSchema),
    handlers,
  });
}
