import type { EntityManager } from "@mikro-orm/core";
import type { Principal } from "../auth/principal.ts";
import type { RpcContext } from "../rpc/context.ts";
import type { DomainEvent } from "./domain-event.ts";
import type { EventMeta } from "./envelope.ts";
import { createEventRecorder } from "./record-event.ts";

/** Writes domain events to the outbox of a transaction. */
export type RecordEvents = (em: EntityManager, events: readonly DomainEvent[], meta: EventMeta) => void;

/**
 * Hands a context's domain events to the outbox in the unit of work of `em`, so they commit (and
 * are later published) together with the change they describe, or not at all.
 *
 *   const recordEvents = createEventWriter({ context: "inventory", prefix: config.EVENTS_PREFIX });
 *   recordEvents(em, outcome.events, eventMeta(ctx));
 */
export function createEventWriter(options: { context: string; prefix: string }): RecordEvents {
  const record = createEventRecorder(options);
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

/**
 * The meta of events recorded while serving a call: the request id correlates them, the trace
 * continues, the caller is the actor (or `userId` for a call without a token that acts for a
 * user, such as a sign-up).
 */
export function eventMeta(ctx: RpcContext, userId?: string): EventMeta {
  const actor = actorOf(ctx.principal) ?? (userId ? `user:${userId}` : undefined);
  return {
    correlationId: ctx.requestId,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    ...(actor ? { actor } : {}),
  };
}
