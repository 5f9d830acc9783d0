import type { Principal } from "@shopmesh/kit/auth";
import type { EntityManager } from "@shopmesh/kit/db";
import { createEventRecorder, type EventMeta } from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";
import type { DomainEvent } from "./domain/events.ts";

/**
 * The events payment publishes: every DomainEvent a domain function returns, as the proto message
 * of shopmesh/payment/v1/events.proto (PaymentAuthorized, PaymentCaptured, PaymentVoided,
 * PaymentFailed, PaymentRefunded), on stream <PREFIX>_PAYMENT, with the payment intent id as
 * ce-subject. Payment consumes no events: the order service drives it by RPC, providers by webhook.
 */

/** The publishing context: stream <PREFIX>_PAYMENT, subjects <prefix>.payment.<event>. */
export const EVENTS_CONTEXT = "payment";

/** Writes domain events to the outbox of a transaction. */
export type RecordEvents = (em: EntityManager, events: readonly DomainEvent[], meta: EventMeta) => void;

/**
 * Hands domain events to the kit's outbox in the unit of work of `em`, so they commit (and are
 * later published) together with the payment change they describe, or not at all.
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
 * The meta of events a provider's webhook caused: payment acts on the provider's word, and the
 * provider's event id is the cause.
 */
export function webhookMeta(ctx: RpcContext, webhookEventId: string): EventMeta {
  return { ...eventMeta(ctx), actor: "service:payment", causationId: webhookEventId };
}

/** The meta of events the confirmation sweeper records: the service itself acts. */
export const SWEEPER_META: EventMeta = { actor: "service:payment" };
