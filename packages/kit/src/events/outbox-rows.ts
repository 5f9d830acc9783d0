import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { newId } from "../ids/index.ts";
import type { DomainEvent } from "./domain-event.ts";
import { buildEventHeaders, type EventMeta } from "./envelope.ts";
import { checkContext, checkToken, DEFAULT_PREFIX, eventSubject } from "./naming.ts";

/** One row of outbox_events (EVENTS_MIGRATIONS): what the relay publishes. */
export interface OutboxRow {
  id: string;
  type: string;
  subject: string;
  aggregateId: string;
  headers: Record<string, string>;
  data: Uint8Array;
  createdAt: Date;
}

/** The outbox row of one event of `context`, on subject `<prefix>.<context>.<event>`, made now. */
export function outboxRow<S extends DescMessage>(input: {
  context: string;
  prefix: string;
  schema: S;
  data: MessageInitShape<S>;
  aggregateId: string;
  meta?: EventMeta;
}): OutboxRow {
  const id = newId();
  const time = new Date();
  const type = input.schema.typeName;
  return {
    id,
    type,
    subject: eventSubject(input.prefix, input.context, input.schema),
    aggregateId: input.aggregateId,
    headers: buildEventHeaders({
      id,
      context: input.context,
      type,
      aggregateId: input.aggregateId,
      time,
      ...(input.meta ? { meta: input.meta } : {}),
    }),
    data: toBinary(input.schema, create(input.schema, input.data)),
    createdAt: time,
  };
}

/** The outbox rows of domain events, recorded now with `meta`. */
export type OutboxRows = (events: readonly DomainEvent[], meta: EventMeta) => OutboxRow[];

/**
 * Outbox rows for code that writes them with plain SQL in the statement of the change they
 * describe (instead of recordEvent's ORM unit of work): the same rows, so the relay publishes
 * them alike.
 */
export function createOutboxRows(options: { context: string; prefix?: string }): OutboxRows {
  const context = checkContext(options.context);
  const prefix = checkToken(options.prefix ?? DEFAULT_PREFIX, "prefix");
  return (events, meta) =>
    events.map((event) =>
      outboxRow({ context, prefix, schema: event.type, data: event.data, aggregateId: event.subject, meta }),
    );
}

/**
 * The columns of outbox rows as arrays, for `insert into outbox_events ... select * from
 * unnest(...)`: one statement text for any number of rows.
 */
export function outboxColumns(rows: readonly OutboxRow[]) {
  return {
    ids: rows.map((row) => row.id),
    types: rows.map((row) => row.type),
    subjects: rows.map((row) => row.subject),
    aggregateIds: rows.map((row) => row.aggregateId),
    headers: rows.map((row) => JSON.stringify(row.headers)),
    data: rows.map((row) => row.data),
    createdAt: rows.map((row) => row.createdAt),
  };
}
