import {
  createEventWriter as createContextEventWriter,
  createOutboxRows,
  type EventMeta,
  type OutboxRows,
  type RecordEvents,
} from "@shopmesh/kit/events";

export { actorOf, eventMeta, type RecordEvents } from "@shopmesh/kit/events";

/**
 * The events inventory publishes: every DomainEvent a domain function returns, as the proto
 * message of shopmesh/inventory/v1/events.proto, on stream <PREFIX>_INVENTORY. Inventory
 * consumes no events: the order service drives reservations by RPC.
 */

/** The publishing context: stream <PREFIX>_INVENTORY, subjects <prefix>.inventory.<event>. */
export const EVENTS_CONTEXT = "inventory";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** The outbox rows of this context's domain events, for statements that write them in plain SQL. */
export function createEventRows(options: { prefix: string }): OutboxRows {
  return createOutboxRows({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** The meta of events the reservation sweeper records: the service itself acts. */
export const SWEEPER_META: EventMeta = { actor: "service:inventory" };
