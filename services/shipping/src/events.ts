import {
  createEventWriter as createContextEventWriter,
  createOutboxRows,
  type EventMeta,
  type OutboxRows,
  type RecordEvents,
} from "@shopmesh/kit/events";

export { actorOf, eventMeta, type RecordEvents } from "@shopmesh/kit/events";

/**
 * The events shipping publishes: every DomainEvent a domain function returns (ShipmentCreated,
 * ShipmentShipped, ShipmentDelivered, ShipmentFailed of shopmesh/shipping/v1/events.proto), on
 * stream <PREFIX>_SHIPPING, with the order id as ce-subject. Shipping consumes no events: the
 * order service drives it by RPC, carriers by webhook.
 */

/** The publishing context: stream <PREFIX>_SHIPPING, subjects <prefix>.shipping.<event>. */
export const EVENTS_CONTEXT = "shipping";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** The outbox rows of this context's domain events, for statements that write them in plain SQL. */
export function createEventRows(options: { prefix: string }): OutboxRows {
  return createOutboxRows({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/**
 * The meta of events a carrier caused: the carrier acts (through its webhook, or the simulated
 * carrier's loop), and its event id is what caused them.
 */
export function carrierMeta(carrier: string, eventId: string, base: EventMeta = {}): EventMeta {
  return { ...base, actor: `carrier:${carrier}`, causationId: eventId };
}
