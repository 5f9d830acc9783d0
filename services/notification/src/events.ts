import {
  createEventWriter as createContextEventWriter,
  type EventMeta,
  type RecordEvents,
} from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";

export type { RecordEvents } from "@shopmesh/kit/events";

/**
 * The events notification publishes: InAppNotificationCreated and NotificationRead (which the
 * BFF replicas fan out to the user's live streams) and DeliveryDeadLettered, as the proto
 * messages of shopmesh/notification/v1/events.proto, on stream <PREFIX>_NOTIFICATION. The events
 * it consumes are handled in consumers/.
 */

/** The publishing context: stream <PREFIX>_NOTIFICATION, subjects <prefix>.notification.<event>. */
export const EVENTS_CONTEXT = "notification";

/** Hands this context's domain events to the outbox in the unit of work of a transaction. */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  return createContextEventWriter({ context: EVENTS_CONTEXT, prefix: options.prefix });
}

/** The meta of events recorded while serving a call: the request id correlates them, the trace continues. */
export function eventMeta(ctx: RpcContext): EventMeta {
  const principal = ctx.principal;
  const actor = principal
    ? principal.kind === "user"
      ? `user:${principal.userId}`
      : `service:${principal.service}`
    : undefined;
  return {
    correlationId: ctx.requestId,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    ...(actor ? { actor } : {}),
  };
}

/** The meta of events the dispatcher records: the service itself acts. */
export const DISPATCHER_META: EventMeta = { actor: "service:notification" };
