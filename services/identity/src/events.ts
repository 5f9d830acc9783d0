import { createEventWriter as createContextEventWriter, type RecordEvents } from "@shopmesh/kit/events";

export { actorOf, eventMeta, type RecordEvents } from "@shopmesh/kit/events";

/**
 * The events identity publishes: every DomainEvent a domain function returns, as the proto
 * message of shopmesh/identity/v1/events.proto, on stream <PREFIX>_IDENTITY. Identity consumes no
 * events yet.
 */

/** The publishing context: stream <PREFIX>_IDENTITY, subjects <prefix>.identity.<event>. */
export const EVENTS_CONTEXT = "identity";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}
