import { createEventWriter as createContextEventWriter, type RecordEvents } from "@shopmesh/kit/events";

export { actorOf, eventMeta, type RecordEvents } from "@shopmesh/kit/events";

/**
 * The events catalog publishes: every DomainEvent a domain function returns, as the proto
 * message of shopmesh/catalog/v1/events.proto, on stream <PREFIX>_CATALOG. Catalog consumes no
 * events: the cache is dropped by the change itself, after commit, in every replica's Redis.
 */

/** The publishing context: stream <PREFIX>_CATALOG, subjects <prefix>.catalog.<event>. */
export const EVENTS_CONTEXT = "catalog";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}
