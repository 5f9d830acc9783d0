import type { Principal } from "@shopmesh/kit/auth";
import {
  createEventWriter as createContextEventWriter,
  createOutboxRows,
  type EventMeta,
  type OutboxRows,
  type RecordEvents,
} from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";

export type { RecordEvents } from "@shopmesh/kit/events";

/**
 * The events order publishes: every DomainEvent a domain function returns, as the proto message
 * of shopmesh/order/v1/events.proto, on stream <PREFIX>_ORDER. The events it consumes (shipping's
 * and payment's) are handled in consumers.ts.
 */

/** The publishing context: stream <PREFIX>_ORDER, subjects <prefix>.order.<event>. */
export const EVENTS_CONTEXT = "order";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** The outbox rows of this context's domain events, for statements that write them in plain SQL. */
export function createEventRows(options: { prefix: string }): OutboxRows {
  return createOutboxRows({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** "user:<id>" or "service:<name>": who caused a change. */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return "system";
  return principal.kind === "user" ? `user:${principal.userId}` : `service:${principal.service}`;
}

/** The meta of events recorded while serving a call: the request id correlates them, the trace continues. */
export function eventMeta(ctx: RpcContext): EventMeta {
  return {
    correlationId: ctx.requestId,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    actor: actorOf(ctx.principal),
  };
}

/** The meta of events the saga records on its own (also when the recovery loop resumes it); the order id correlates them. */
export const SAGA_META: EventMeta = { actor: "service:order" };
