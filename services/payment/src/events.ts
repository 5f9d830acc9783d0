import {
  createEventWriter as createContextEventWriter,
  type EventMeta,
  eventMeta,
  type RecordEvents,
} from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";

export { actorOf, eventMeta, type RecordEvents } from "@shopmesh/kit/events";

/**
 * The events payment publishes: every DomainEvent a domain function returns, as the proto message
 * of shopmesh/payment/v1/events.proto (PaymentAuthorized, PaymentCaptured, PaymentVoided,
 * PaymentFailed, PaymentRefunded), on stream <PREFIX>_PAYMENT, with the payment intent id as
 * ce-subject. Payment consumes no events: the order service drives it by RPC, providers by webhook.
 */

/** The publishing context: stream <PREFIX>_PAYMENT, subjects <prefix>.payment.<event>. */
export const EVENTS_CONTEXT = "payment";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
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
