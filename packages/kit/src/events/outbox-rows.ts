import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import type { Parameters } from "../db/sql.ts";
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

/** The columns of outbox_events a row fills, each as one array parameter of unnest(). */
const COLUMNS: readonly [column: string, type: string, values: (rows: readonly OutboxRow[]) => unknown[]][] =
  [
    ["id", "uuid[]", (rows) => rows.map((row) => row.id)],
    ["type", "text[]", (rows) => rows.map((row) => row.type)],
    ["subject", "text[]", (rows) => rows.map((row) => row.subject)],
    ["aggregate_id", "text[]", (rows) => rows.map((row) => row.aggregateId)],
    ["headers", "jsonb[]", (rows) => rows.map((row) => JSON.stringify(row.headers))],
    ["data", "bytea[]", (rows) => rows.map((row) => row.data)],
    ["created_at", "timestamptz[]", (rows) => rows.map((row) => row.createdAt)],
  ];

function insertText(placeholders: readonly string[], when: string | undefined): string {
  return `insert into outbox_events (${COLUMNS.map(([column]) => column).join(", ")})
    select * from unnest(${placeholders.join(", ")})${when ? ` where ${when}` : ""}`;
}

/**
 * `insert into outbox_events ... select * from unnest(...)` of `rows`, their seven array
 * parameters added to `p` (one statement text serves any number of rows), optionally only `when`
 * a condition holds — for a data-modifying CTE that writes events with the change they describe:
 *
 *   const p = parameters();
 *   const text = `with changed as (update ... returning id),
 *     events as (${outboxInsert(p, rows, "exists (select from changed)")}) select ...`;
 */
export function outboxInsert(p: Parameters, rows: readonly OutboxRow[], when?: string): string {
  return insertText(
    COLUMNS.map(([, type, values]) => p.add(values(rows), type)),
    when,
  );
}

/**
 * The same insert for a statement written once with fixed placeholders: its seven parameters
 * are `$first` to `$first+6`, filled with outboxValues(rows).
 */
export function outboxInsertAt(first: number, when?: string): string {
  return insertText(
    COLUMNS.map(([, type], index) => `$${first + index}::${type}`),
    when,
  );
}

/** The seven parameters of outboxInsertAt, in order. */
export function outboxValues(rows: readonly OutboxRow[]): unknown[] {
  return COLUMNS.map(([, , values]) => values(rows));
}
