import { type EventMeta, eventMeta } from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";
import { createOutboxRows, type OutboxRows } from "./store/index.ts";

export { actorOf, eventMeta } from "@shopmesh/kit/events";

/**
 * The events payment publishes: every DomainEvent a domain function returns, as the proto message
 * of shopmesh/payment/v1/events.proto (PaymentAuthorized, PaymentCaptured, PaymentVoided,
 * PaymentFailed, PaymentRefunded), on stream <PREFIX>_PAYMENT, with the payment intent id as
 * ce-subject. Payment consumes no events: the order service drives it by RPC, providers by webhook.
 */

/** The publishing context: stream <PREFIX>_PAYMENT, subjects <prefix>.payment.<event>. */
export const EVENTS_CONTEXT = "payment";

/**
 * The outbox rows of this context's domain events, which the store writes with the change they
 * describe (store/outbox.ts: the kit's row shape, written with plain SQL).
 */
export function createEventWriter(options: { prefix: string }): OutboxRows {
  return createOutboxRows({ context: EVENTS_CONTEXT, prefix: options.prefix });
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
