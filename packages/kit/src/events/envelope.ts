import type { MsgHdrs } from "@nats-io/transport-node";

/**
 * The CloudEvents 1.0 envelope as NATS headers (binary content mode): attributes travel as
 * `ce-*` headers beside W3C trace context and our correlation headers; the body is the event's
 * protobuf binary.
 */
export const EventHeaders = {
  specVersion: "ce-specversion",
  id: "ce-id",
  source: "ce-source",
  type: "ce-type",
  subject: "ce-subject",
  time: "ce-time",
  dataContentType: "ce-datacontenttype",
  traceparent: "traceparent",
  correlationId: "shopmesh-correlation-id",
  causationId: "shopmesh-causation-id",
  actor: "shopmesh-actor",
} as const;

export const PROTOBUF_CONTENT_TYPE = "application/protobuf";

/** Who and what caused an event; carried along so a chain of events can be followed. */
export interface EventMeta {
  /** The id shared by every event of one business flow (a checkout, a registration). */
  correlationId?: string;
  /** The id of the event or request that directly caused this one. */
  causationId?: string;
  /** "user:<id>" or "service:<name>". */
  actor?: string;
  /** W3C trace context of the request that recorded the event. */
  traceparent?: string;
}

export interface EnvelopeInput {
  id: string;
  context: string;
  type: string;
  aggregateId: string;
  time: Date;
  meta?: EventMeta;
}

/** Header values cannot span lines; anything else passes as given. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/** The headers of one event, as stored in the outbox and sent to NATS. */
export function buildEventHeaders(input: EnvelopeInput): Record<string, string> {
  const headers: Record<string, string> = {
    [EventHeaders.specVersion]: "1.0",
    [EventHeaders.id]: input.id,
    [EventHeaders.source]: `shopmesh/${input.context}`,
    [EventHeaders.type]: input.type,
    [EventHeaders.subject]: headerValue(input.aggregateId),
    [EventHeaders.time]: input.time.toISOString(),
    [EventHeaders.dataContentType]: PROTOBUF_CONTENT_TYPE,
  };
  const meta = input.meta ?? {};
  if (meta.traceparent) headers[EventHeaders.traceparent] = headerValue(meta.traceparent);
  if (meta.correlationId) headers[EventHeaders.correlationId] = headerValue(meta.correlationId);
  if (meta.causationId) headers[EventHeaders.causationId] = headerValue(meta.causationId);
  if (meta.actor) headers[EventHeaders.actor] = headerValue(meta.actor);
  return headers;
}

/** The envelope read back from a message's headers; attributes a producer left out are undefined. */
export interface Envelope {
  id?: string;
  type?: string;
  source?: string;
  subject?: string;
  time?: Date;
  meta: EventMeta;
  /** Every header, first value of each. */
  headers: Record<string, string>;
}

export function readEnvelope(hdrs: MsgHdrs | undefined): Envelope {
  const headers: Record<string, string> = {};
  if (hdrs) {
    for (const key of hdrs.keys()) headers[key] = hdrs.get(key);
  }
  // Header names are case-insensitive on the wire; look them up in lower case.
  const lower = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const get = (name: string) => lower.get(name) || undefined;
  const time = get(EventHeaders.time);
  const parsedTime = time ? new Date(time) : undefined;
  const meta: EventMeta = {};
  const traceparent = get(EventHeaders.traceparent);
  const correlationId = get(EventHeaders.correlationId);
  const causationId = get(EventHeaders.causationId);
  const actor = get(EventHeaders.actor);
  if (traceparent) meta.traceparent = traceparent;
  if (correlationId) meta.correlationId = correlationId;
  if (causationId) meta.causationId = causationId;
  if (actor) meta.actor = actor;
  return {
    id: get(EventHeaders.id),
    type: get(EventHeaders.type),
    source: get(EventHeaders.source),
    subject: get(EventHeaders.subject),
    time: parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : undefined,
    meta,
    headers,
  };
}

/**
 * The meta for events a handler records in reaction to `event`: same correlation (or the event
 * itself starts one), caused by the event, same trace and actor.
 *
 *   recordEvent(em, { ..., meta: causedBy(event) });
 */
export function causedBy(event: { id: string; meta: EventMeta }): EventMeta {
  return {
    correlationId: event.meta.correlationId ?? event.id,
    causationId: event.id,
    ...(event.meta.traceparent ? { traceparent: event.meta.traceparent } : {}),
    ...(event.meta.actor ? { actor: event.meta.actor } : {}),
  };
}
