import type { Message } from "@bufbuild/protobuf";
import {
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderDeliveredSchema,
  OrderFailedSchema,
  OrderRefundedSchema,
  OrderShippedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import type { Order } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import type { EntityManager } from "@shopmesh/kit/db";
import {
  type ConsumedEvent,
  createConsumer,
  type EventConsumer,
  type HandlerEntry,
  on,
} from "@shopmesh/kit/events";
import type { NotificationIntent } from "../domain/intent.ts";
import { orderIntent, orderRefundedIntent } from "../domain/intents.ts";
import { type ConsumerDeps, consumerBase, sourceOf } from "./common.ts";

/** The durable consumer's name on the order stream. */
export const ORDER_CONSUMER = "notification-order";

/**
 * The order context's events: what a customer hears about their order. Shipping news comes from
 * OrderShipped rather than shipping's ShipmentCreated: the shipment (and its tracking number) is
 * created inside checkout, before the order is even confirmed, so the confirmation already shows
 * the tracking number, and "on its way" is sent when the carrier has the parcel.
 */
export function createOrderConsumer(deps: ConsumerDeps): EventConsumer {
  const { store, intake, logger } = deps;

  /** Accepts the intent of an event about an order, or skips an event without one. */
  const accept = async <T extends Message & { order?: Order }>(
    event: ConsumedEvent<T>,
    em: EntityManager,
    intent: (order: Order) => NotificationIntent,
  ) => {
    const order = event.data.order;
    if (!order?.id || !order.customerId) {
      logger.warn(
        { eventId: event.id, eventType: event.type },
        "order event without an order; nothing to send",
      );
      return;
    }
    await intake.accept(store.within(em), intent(order), sourceOf(event));
  };

  const handlers: HandlerEntry[] = [
    on(OrderConfirmedSchema, (event, em) =>
      accept(event, em, (order) => orderIntent("order_confirmed", order)),
    ),
    on(OrderFailedSchema, (event, em) => accept(event, em, (order) => orderIntent("order_failed", order))),
    on(OrderCancelledSchema, (event, em) =>
      accept(event, em, (order) => orderIntent("order_cancelled", order, { reason: event.data.reason })),
    ),
    on(OrderShippedSchema, (event, em) => accept(event, em, (order) => orderIntent("order_shipped", order))),
    on(OrderDeliveredSchema, (event, em) =>
      accept(event, em, (order) => orderIntent("order_delivered", order)),
    ),
    on(OrderRefundedSchema, (event, em) =>
      accept(event, em, (order) =>
        orderRefundedIntent(order, event.data.amount, event.data.reason, event.id),
      ),
    ),
  ];
  return createConsumer({
    ...consumerBase(deps, ORDER_CONSUMER),
    context: "order",
    // Different orders are independent, and one order's events only queue deliveries.
    concurrency: 4,
    handlers,
  });
}
