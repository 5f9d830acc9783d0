import type { Principal } from "@shopmesh/kit/auth";
import type { EntityManager } from "@shopmesh/kit/db";
import { createEventRecorder, type EventMeta } from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";
import type { DomainEvent } from "./domain/events.ts";

/**
 * The events shipping publishes: every DomainEvent a domain function returns (ShipmentCreated,
 * ShipmentShipped, ShipmentDelivered, ShipmentFailed of shopmesh/shipping/v1/events.proto), on
 * stream <PREFIX>_SHIPPING, with the order id as ce-subject. Shipping consumes no events: the
 * order service drives it by RPC, carriers by webhook.
 */

/** The publishing context: stream <PREFIX>_SHIPPING, subjects <prefix>.shipping.<event>. */
export const EVENTS_CONTEXT = "shipping";

/** Writes domain events to the outbox of a transaction. */
export type RecordEvents = (em: EntityManager, events: readonly DomainEvent[], meta: EventMeta) => void;

/**
 * Hands domain events to the kit's outbox in the unit of work of `em`, so they commit (and are
 * later published) together with the shipment change they describe, or not at all.
 */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  const record = createEventRecorder({ context: EVENTS_CONTEXT, prefix: options.prefix });
  return (em, events, meta) => {
    for (const event of events) {
      record(em, { schema: event.type, data: event.data, aggregateId: event.subject, meta });
    }
  };
}

/** "user:<id>" or "service:<name>": who caused a change. */
export function actorOf(principal: Principal | undefined): string | undefined {
  if (!principal) return undefined;
  return principal.kind === "user" ? `user:${principal.userId}` : `service:${principal.service}`;
}

/** The meta of events recorded while serving a call: the request id correlates them, the trace continues. */
export function eventMeta(ctx: RpcContext): EventMeta {
  const actor = actorOf(ctx.principal);
  return {
    correlationId: ctx.requestId,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    ...(actor ? { actor } : {}),
  };
}

/**
 * The meta of events a carrier caused: the carrier acts (through its webhook, or the simulated
 * carrier's loop), and its event id is what caused them.
 */
export function carrierMeta(carrier: string, eventId: string, base: EventMeta = {}): EventMeta {
  return { ...base, actor: `carrier:${carrier}`, causationId: eventId };
}
