import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { EntityManager } from "@mikro-orm/core";
import type { EventMeta } from "./envelope.ts";
import { checkContext, checkToken, DEFAULT_PREFIX } from "./naming.ts";
import { outboxRow } from "./outbox-rows.ts";
import { OutboxEvent } from "./tables.ts";

export interface RecordEventOptions<S extends DescMessage> {
  /** The publishing context ("identity"); picks the stream and subject. */
  context: string;
  /** The event message schema, e.g. `UserRegisteredSchema`. */
  schema: S;
  data: MessageInitShape<S>;
  /** The id of the aggregate the event is about (ce-subject). */
  aggregateId: string;
  meta?: EventMeta;
  /** Subject prefix (config EVENTS_PREFIX); default "shopmesh". */
  prefix?: string;
}

/**
 * Adds an event to the outbox in the unit of work of `em`, so it is written by the same flush and
 * committed by the same transaction as the state change it describes — or not at all. The relay
 * publishes it after commit. Returns the event id (ce-id).
 *
 *   await db.transaction(async (em) => {
 *     const user = em.create(User, { ... });
 *     recordEvent(em, { context: "identity", schema: UserRegisteredSchema, aggregateId: user.id,
 *       data: { userId: user.id, email: user.email }, prefix: config.EVENTS_PREFIX });
 *   });
 */
export function recordEvent<S extends DescMessage>(
  em: EntityManager,
  options: RecordEventOptions<S>,
): string {
  const context = checkContext(options.context);
  const prefix = checkToken(options.prefix ?? DEFAULT_PREFIX, "prefix");
  if (options.schema?.kind !== "message") throw new Error("schema: must be a generated message schema");
  if (typeof options.aggregateId !== "string" || options.aggregateId === "") {
    throw new Error("aggregateId: must be a non-empty string");
  }
  const row = em.create(
    OutboxEvent,
    outboxRow({
      context,
      prefix,
      schema: options.schema,
      data: options.data,
      aggregateId: options.aggregateId,
      ...(options.meta ? { meta: options.meta } : {}),
    }),
  );
  em.persist(row);
  return row.id;
}

/** `recordEvent` with the context and prefix bound once, for a service's events module. */
export type EventRecorder = <S extends DescMessage>(
  em: EntityManager,
  event: { schema: S; data: MessageInitShape<S>; aggregateId: string; meta?: EventMeta },
) => string;

/**
 *   export const record = createEventRecorder({ context: "identity", prefix: config.EVENTS_PREFIX });
 *   record(em, { schema: UserRegisteredSchema, aggregateId: user.id, data: {...} });
 */
export function createEventRecorder(options: { context: string; prefix?: string }): EventRecorder {
  const context = checkContext(options.context);
  const prefix = checkToken(options.prefix ?? DEFAULT_PREFIX, "prefix");
  return (em, event) => recordEvent(em, { ...event, context, prefix });
}
