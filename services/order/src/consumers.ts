import {
  PaymentAuthorizedSchema,
  PaymentFailedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import {
  ShipmentDeliveredSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import type { Db, EntityManager } from "@shopmesh/kit/db";
import { isDomainError } from "@shopmesh/kit/errors";
import {
  type ConsumedEvent,
  createConsumer,
  type EventConsumer,
  type NatsConnection,
  on,
} from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import type { Metrics } from "@shopmesh/kit/metrics";
import { markDelivered, markShipped, type Order, type OrderChange } from "./domain/order.ts";
import type { SagaEngine } from "./saga/engine.ts";
import type { OrderStore, Transaction } from "./store/index.ts";

/**
 * The events order consumes, each handler idempotent (the kit's inbox records the event id in
 * the same transaction as the effect):
 * - shipping's ShipmentShipped → SHIPPED and ShipmentDelivered → DELIVERED (an order already
 *   there is left as it is);
 * - payment's PaymentAuthorized and PaymentFailed wake the checkout saga that waits for that
 *   intent; the saga itself asks payment for the intent's state, so the event is only a nudge.
 */
export interface OrderConsumersOptions {
  nats: NatsConnection;
  db: Db;
  store: OrderStore;
  engine: SagaEngine;
  prefix: string;
  /** The order schema (DB_SCHEMA): replicas of one deployment share its durable consumers. */
  schema: string;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Durable consumer names, one per consumed stream: "order-shipping" and "order-payment" for the
 * default schema. Replicas of one deployment share them (each event is handled once); another
 * deployment on the same NATS (another schema) gets its own.
 */
export function durables(schema: string): { shipping: string; payment: string } {
  const base = schema.replaceAll("_", "-");
  return { shipping: `${base}-shipping`, payment: `${base}-payment` };
}

/** The durable consumers of shipping's and payment's streams; start them with the service. */
export function createOrderConsumers(options: OrderConsumersOptions): EventConsumer[] {
  const { store, engine, logger } = options;
  const names = durables(options.schema);
  const log = logger.child({ component: "consumers" });
  const onEvent = (durable: string) => (outcome: { type: string; result: string; lagMs?: number }) => {
    options.metrics.eventsConsumed.inc({ type: outcome.type, consumer: durable, outcome: outcome.result });
    if (outcome.lagMs !== undefined)
      options.metrics.eventLag.observe({ consumer: durable }, outcome.lagMs / 1000);
  };

  /** Applies a shipping report to the order; a report the order cannot take is logged, not retried. */
  async function report(
    tx: Transaction,
    event: ConsumedEvent,
    orderId: string,
    change: (order: Order, now: Date) => OrderChange,
  ): Promise<void> {
    const order = await tx.orders.byId(orderId, { lock: true });
    if (!order) {
      log.warn({ orderId, eventId: event.id, type: event.type }, "shipping event for an unknown order");
      return;
    }
    if (order.status === "pending") {
      // The shipment exists before the checkout confirms: hear this again once it has.
      throw new Error(`order ${orderId} is still checking out; ${event.type} is retried`);
    }
    let result: OrderChange;
    try {
      result = change(order, new Date());
    } catch (error) {
      if (!isDomainError(error)) throw error;
      log.warn(
        { orderId, status: order.status, type: event.type, err: error },
        "shipping event does not apply",
      );
      return;
    }
    if (result.order === order) return;
    await tx.orders.save(result.order);
    await tx.orders.addHistory(result.history);
    tx.record(result.events, {
      causationId: event.id,
      ...(event.meta.correlationId ? { correlationId: event.meta.correlationId } : {}),
      actor: actorOfShipping(event),
    });
  }

  const shipping = createConsumer({
    nats: options.nats,
    db: options.db,
    prefix: options.prefix,
    context: "shipping",
    durable: names.shipping,
    logger,
    onEvent: onEvent(names.shipping),
    handlers: [
      on(ShipmentShippedSchema, async (event, em) => {
        const shipment = event.data.shipment;
        const orderId = shipment?.orderId || event.subject;
        await report(store.within(em), event, orderId, (order, now) =>
          markShipped(
            order,
            { actor: actorOfShipping(event), reason: `${shipment?.carrier || "the carrier"} has the parcel` },
            now,
          ),
        );
      }),
      on(ShipmentDeliveredSchema, async (event, em) => {
        const orderId = event.data.shipment?.orderId || event.subject;
        await report(store.within(em), event, orderId, (order, now) =>
          markDelivered(order, { actor: actorOfShipping(event), reason: "the parcel was delivered" }, now),
        );
      }),
    ],
  });

  /**
   * Makes the waiting saga of the intent's order due now and drives it. Waking twice is harmless,
   * so these handlers run without the inbox (one statement, committed on its own, per event; most
   * sagas are not waiting and nothing changes).
   */
  async function nudge(em: EntityManager, orderId: string | undefined): Promise<void> {
    if (!orderId) return;
    const woke = await store.within(em).sagas.wake(orderId);
    if (woke) setImmediate(() => void engine.run(orderId).catch(() => undefined));
  }

  const payment = createConsumer({
    nats: options.nats,
    db: options.db,
    prefix: options.prefix,
    context: "payment",
    durable: names.payment,
    logger,
    onEvent: onEvent(names.payment),
    handlers: [
      on(PaymentAuthorizedSchema, (event, em) => nudge(em, event.data.paymentIntent?.orderId), {
        idempotent: true,
      }),
      on(PaymentFailedSchema, (event, em) => nudge(em, event.data.paymentIntent?.orderId), {
        idempotent: true,
      }),
    ],
  });

  return [shipping, payment];
}

/**
 * Who moved a shipment on: the actor shipping recorded (a staff member marking it by hand, the
 * carrier), so the order's history names the same one whichever of the two paths lands first.
 */
function actorOfShipping(event: { meta: { actor?: string } }): string {
  return event.meta.actor ?? "service:shipping";
}
