import { timestampDate } from "@bufbuild/protobuf/wkt";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import {
  type ConsumeOutcome,
  createConsumer,
  type EventConsumer,
  eventSubject,
  type NatsConnection,
  on,
} from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import { removeOrdered } from "./domain/ordered.ts";
import type { CartStore } from "./store/carts.ts";

/**
 * The order events the cart consumes: OrderConfirmed, on order's stream <EVENTS_PREFIX>_ORDER
 * (subject <prefix>.order.order_confirmed). What a confirmed order bought leaves its customer's
 * cart, also when the payment was confirmed asynchronously (the order answered PENDING at
 * checkout and was confirmed minutes later), which the BFF's clear after a CONFIRMED answer does
 * not see. After that clear the event finds nothing left to take.
 *
 * Carts live in Redis, so there is no database inbox: each order is applied at most once through
 * a marker written in the same Lua script as the cart (CartStore.updateOnce), keyed by the order
 * id and kept ORDER_DEDUPE_TTL_SECONDS. A redelivery, or the other replica getting the event, finds
 * the marker and changes nothing. An event older than that TTL is skipped: its marker may be gone,
 * so applying it could subtract twice (only a replay of old history, e.g. a new durable consumer
 * on a long stream, delivers one).
 */

/**
 * The durable consumer's name on order's stream; every replica of the cart service shares it, so
 * each event goes to one of them.
 */
export const ORDER_CONSUMER = "cart-order-confirmed";

/**
 * Redis being unreachable fails a handler like any error, and the kit dead-letters after
 * `maxDeliver` failures: these give Redis about six minutes to come back first.
 */
const MAX_DELIVER = 10;
const BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000];

export interface OrderConsumerOptions {
  nats: NatsConnection;
  /** Config EVENTS_PREFIX. */
  prefix: string;
  store: CartStore;
  /** How long the per-order marker is kept (config ORDER_DEDUPE_TTL_SECONDS). */
  dedupeSeconds: number;
  logger: Logger;
  /** Events handled at once; different orders are independent and one cart's writers retry. Default 4. */
  concurrency?: number;
  onEvent?(outcome: ConsumeOutcome): void;
}

/** Creates the consumer of OrderConfirmed; start it with the service (after NATS is connected). */
export function createOrderConsumer(options: OrderConsumerOptions): EventConsumer {
  const { store, dedupeSeconds } = options;
  const log = options.logger.child({ component: "order-events" });
  return createConsumer({
    nats: options.nats,
    prefix: options.prefix,
    context: "order",
    durable: ORDER_CONSUMER,
    filterSubject: eventSubject(options.prefix, "order", OrderConfirmedSchema),
    logger: options.logger,
    maxDeliver: MAX_DELIVER,
    backoffMs: BACKOFF_MS,
    concurrency: options.concurrency ?? 4,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    handlers: [
      on(OrderConfirmedSchema, async (event) => {
        const order = event.data.order;
        if (!order?.id || !order.customerId) {
          log.warn({ eventId: event.id }, "OrderConfirmed without an order or customer; nothing to remove");
          return;
        }
        const now = new Date();
        if (now.getTime() - event.time.getTime() >= dedupeSeconds * 1000) {
          log.warn(
            { eventId: event.id, orderId: order.id, eventTime: event.time },
            "OrderConfirmed older than the dedupe window; the cart is left as it is",
          );
          return;
        }
        // Lines added after the order was placed are left alone; without a create time, the
        // confirmation's time is the latest the order can have been placed.
        const orderedAt = order.createTime ? timestampDate(order.createTime) : event.time;
        const items = order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity }));
        const result = await store.updateOnce(
          { kind: "user", userId: order.customerId },
          `order-confirmed:${order.id}`,
          (cart) => removeOrdered(cart, items, orderedAt, now),
          dedupeSeconds,
        );
        log.debug(
          { orderId: order.id, userId: order.customerId, applied: result.applied },
          "ordered items removed from the cart",
        );
      }),
    ],
  });
}
