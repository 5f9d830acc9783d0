import { setTimeout as sleep } from "node:timers/promises";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import {
  createEventPublisher,
  derivedEventId,
  type EventMeta,
  type EventPublisher,
  type NatsConnection,
  type PublishEventInput,
} from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import { Counter, type Metrics } from "@shopmesh/kit/metrics";
import type { Cart } from "./domain/cart.ts";

/**
 * The events the cart publishes: CartCreated, on stream <EVENTS_PREFIX>_CART. What it consumes
 * (order's OrderConfirmed) is in order-events.ts.
 *
 * Carts live in Redis, so there is no outbox to write an event in the same transaction as the
 * change: each event is published right after the Redis write, in the background — the
 * customer's call neither waits for NATS nor fails with it. A publish is tried a few times with
 * the same event id (derived from the cart), so a retry after a lost ack is dropped by JetStream
 * as a duplicate; one that still fails is logged and counted in cart_events_unpublished_total,
 * and the event is lost. Figures built from these events (the dashboard's checkout conversion)
 * are best-effort for carts created while NATS was unreachable.
 */

/** The publishing context: stream <PREFIX>_CART, subjects <prefix>.cart.<event>. */
export const EVENTS_CONTEXT = "cart";

/** What the handlers tell about carts; never throws and never waits. */
export interface CartEvents {
  /** A cart was written for the first time (guest cart created, user's cart first changed). */
  cartCreated(cart: Cart, meta: EventMeta): void;
}

/** The cart's events with their life cycle, owned by the app. */
export interface CartEventPublisher extends CartEvents {
  /** Makes sure the stream exists and publishes from now on; events before start are lost. */
  start(nats: NatsConnection): Promise<void>;
  /** Resolves when every publish begun so far has succeeded or given up. */
  settled(): Promise<void>;
  /** Gives up waiting retries, waits up to the ack timeout for publishes in flight, and stops. */
  stop(): Promise<void>;
}

export interface CartEventsOptions {
  /** Config EVENTS_PREFIX. */
  prefix: string;
  logger: Logger;
  metrics: Metrics;
  /** How long one publish waits for JetStream's ack; default 5000 ms. */
  timeoutMs?: number;
  /** Delays before the second, third... attempt; default [200, 1000] (three attempts). */
  retryDelaysMs?: readonly number[];
}

export function createCartEvents(options: CartEventsOptions): CartEventPublisher {
  const { prefix, metrics } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retryDelaysMs = options.retryDelaysMs ?? [200, 1_000];
  const log = options.logger.child({ component: "cart-events" });
  const unpublished = new Counter({
    name: "cart_events_unpublished_total",
    help: "Cart events given up on after every attempt failed (NATS unreachable): lost for consumers",
    labelNames: ["type"],
    registers: [metrics.registry],
  });
  const pending = new Set<Promise<void>>();
  const stopping = new AbortController();
  let publisher: EventPublisher | undefined;

  async function deliver(event: PublishEventInput<typeof CartCreatedSchema>): Promise<void> {
    const type = event.schema.typeName;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!publisher) throw new Error("cart events are not started (no NATS connection)");
        await publisher.publish(event);
        return;
      } catch (err) {
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || stopping.signal.aborted) {
          unpublished.inc({ type });
          log.error(
            { err, type, eventId: event.id, subject: event.aggregateId, attempts: attempt + 1 },
            "could not publish a cart event; it is lost",
          );
          return;
        }
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  function publishInBackground(event: PublishEventInput<typeof CartCreatedSchema>): void {
    const delivery = deliver(event).finally(() => pending.delete(delivery));
    pending.add(delivery);
  }

  async function settled(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  return {
    cartCreated(cart, meta) {
      publishInBackground({
        schema: CartCreatedSchema,
        aggregateId: cart.id,
        id: derivedEventId(cart.id, CartCreatedSchema.typeName, cart.createTime),
        time: cart.createTime,
        data: { cartId: cart.id, userId: cart.userId, createTime: timestampFromDate(cart.createTime) },
        meta,
      });
    },

    async start(nats) {
      const next = createEventPublisher({ nats, context: EVENTS_CONTEXT, prefix, timeoutMs, metrics });
      await next.ensureStream();
      publisher = next;
    },

    settled,

    async stop() {
      stopping.abort();
      const timer = sleep(timeoutMs, undefined, { ref: false });
      await Promise.race([settled(), timer]);
      // Whatever still waits for an ack fails now and is counted as unpublished.
      publisher?.close();
      await settled();
    },
  };
}
