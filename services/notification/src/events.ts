import type { EntityManager } from "@shopmesh/kit/db";
import { createEventRecorder, type EventMeta } from "@shopmesh/kit/events";
import type { RpcContext } from "@shopmesh/kit/rpc";
import type { DomainEvent } from "./domain/events.ts";

/**
 * The events notification publishes: InAppNotificationCreated and NotificationRead (which the
 * BFF replicas fan out to the user's live streams) and DeliveryDeadLettered, as the proto
 * messages of shopmesh/notification/v1/events.proto, on stream <PREFIX>_NOTIFICATION. The events
 * it consumes are handled in consumers/.
 */

/** The publishing context: stream <PREFIX>_NOTIFICATION, subjects <prefix>.notification.<event>. */
export const EVENTS_CONTEXT = "notification";

/** Writes domain events to the outbox of a transaction. */
export type RecordEvents = (em: EntityManager, events: readonly DomainEvent[], meta: EventMeta) => void;

/**
 * Hands domain events to the kit's outbox in the unit of work of `em`, so they commit (and are
 * later published) together with the change they describe, or not at all.
 */
export function createEventWriter(options: { prefix: string }): RecordEvents {
  const record = createEventRecorder({ context: EVENTS_CONTEXT, prefix: options.prefix });
  return (em, events, meta) => {
    for (const event of events) {
      record(em, { schema: event.type, data: event.data, aggregateId: event.subject, meta });
    }
  };
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
