import type { JsonObject } from "@bufbuild/protobuf";
import { type AuditEntry, type ChainedFields, type ChainHead, chainEntry } from "../domain/chain.ts";
import { qualified, type Sql, toDate } from "./sql.ts";

/** The audit entries and the chain head of one schema. */
export interface EntryRepository {
  /**
   * Locks the chain head until the transaction ends (every append takes it first, so appends,
   * and the projection updates that go with them, run one at a time) and returns it.
   */
  lockHead(): Promise<ChainHead>;
  head(): Promise<ChainHead>;
  /** True when the log already holds an entry of this event. */
  has(eventId: string): Promise<boolean>;
  /** Appends the entry after the locked `head` and moves the head to it. */
  append(head: ChainHead, fields: Omit<ChainedFields, "sequence">): Promise<AuditEntry>;
  /** Newest first, after the cursor (a sequence), at most `limit`. */
  list(filter: EntryFilter, afterSequence: number | undefined, limit: number): Promise<AuditEntry[]>;
  /** Oldest first, from `afterSequence` + 1, at most `limit`: what verification reads. */
  range(afterSequence: number, limit: number): Promise<AuditEntry[]>;
  /** How many entries there are of these types. */
  countOfTypes(types: readonly string[]): Promise<number>;
  /** Which of these event ids have an entry. */
  audited(eventIds: readonly string[]): Promise<Set<string>>;
}

export interface EntryFilter {
  actor?: string;
  subject?: string;
  /** An exact type, or a package prefix ending in ".". */
  eventType?: string;
  correlationId?: string;
  /** event_time >= startTime. */
  startTime?: Date;
  /** event_time < endTime. */
  endTime?: Date;
}

// Aliased apart from "sequence": ORDER BY sequence must sort the bigint column, not its text.
const COLUMNS = `sequence::text as sequence_text, event_id, event_type, context, actor, subject,
  event_time, correlation_id, causation_id, payload_summary, record_time, previous_hash, hash`;

interface EntryRow {
  sequence_text: string;
  event_id: string;
  event_type: string;
  context: string;
  actor: string;
  subject: string;
  event_time: unknown;
  correlation_id: string;
  causation_id: string;
  payload_summary: JsonObject | string;
  record_time: unknown;
  previous_hash: string;
  hash: string;
}

export function createEntryRepository(sql: Sql, schema: string): EntryRepository {
  const entries = qualified(schema, "audit_entries");
  const head = qualified(schema, "audit_chain_head");

  const readHead = async (lock: boolean): Promise<ChainHead> => {
    const [row] = await sql<{ sequence: string; hash: string }>(
      `select sequence::text as sequence, hash from ${head}${lock ? " for update" : ""}`,
    );
    if (!row) throw new Error(`${head} has no row: the audit migrations did not run`);
    return { sequence: Number(row.sequence), hash: row.hash };
  };

  return {
    lockHead: () => readHead(true),
    head: () => readHead(false),

    async has(eventId) {
      return (await sql(`select 1 from ${entries} where event_id = ?`, [eventId])).length > 0;
    },

    async append(current, fields) {
      const entry = chainEntry(current, fields);
      await sql(
        `insert into ${entries} (sequence, event_id, event_type, context, actor, subject, event_time,
           correlation_id, causation_id, payload_summary, record_time, previous_hash, hash)
         values (?::bigint, ?, ?, ?, ?, ?, ?::timestamptz, ?, ?, ?::jsonb, ?::timestamptz, ?, ?)`,
        [
          String(entry.sequence),
          entry.eventId,
          entry.eventType,
          entry.context,
          entry.actor,
          entry.subject,
          entry.eventTime.toISOString(),
          entry.correlationId,
          entry.causationId,
          JSON.stringify(entry.payloadSummary),
          entry.recordTime.toISOString(),
          entry.previousHash,
          entry.hash,
        ],
      );
      await sql(`update ${head} set sequence = ?::bigint, hash = ?`, [String(entry.sequence), entry.hash]);
      return entry;
    },

    async list(filter, afterSequence, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      const condition = (clause: string, value: unknown) => {
        where.push(clause);
        params.push(value);
      };
      if (filter.actor) condition("actor = ?", filter.actor);
      if (filter.subject) condition("subject = ?", filter.subject);
      if (filter.eventType?.endsWith(".")) condition("event_type like ?", `${likeEscape(filter.eventType)}%`);
      else if (filter.eventType) condition("event_type = ?", filter.eventType);
      if (filter.correlationId) condition("correlation_id = ?", filter.correlationId);
      if (filter.startTime) condition("event_time >= ?::timestamptz", filter.startTime.toISOString());
      if (filter.endTime) condition("event_time < ?::timestamptz", filter.endTime.toISOString());
      if (afterSequence !== undefined) condition("sequence < ?::bigint", String(afterSequence));
      const rows = await sql<EntryRow>(
        `select ${COLUMNS} from ${entries}
         ${where.length > 0 ? `where ${where.join(" and ")}` : ""}
         order by sequence desc limit ?`,
        [...params, limit],
      );
      return rows.map(entryOf);
    },

    async range(afterSequence, limit) {
      const rows = await sql<EntryRow>(
        `select ${COLUMNS} from ${entries} where sequence > ?::bigint order by sequence limit ?`,
        [String(afterSequence), limit],
      );
      return rows.map(entryOf);
    },

    async countOfTypes(types) {
      const [row] = await sql<{ n: string }>(
        `select count(*)::text as n from ${entries} where event_type = any(?::text[])`,
        [textArray(types)],
      );
      return Number(row?.n ?? 0);
    },

    async audited(eventIds) {
      if (eventIds.length === 0) return new Set();
      const rows = await sql<{ event_id: string }>(
        `select event_id from ${entries} where event_id = any(?::text[])`,
        [textArray(eventIds)],
      );
      return new Set(rows.map((row) => row.event_id));
    },
  };
}

function entryOf(row: EntryRow): AuditEntry {
  return {
    sequence: Number(row.sequence_text),
    eventId: row.event_id,
    eventType: row.event_type,
    context: row.context,
    actor: row.actor,
    subject: row.subject,
    eventTime: toDate(row.event_time),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    payloadSummary:
      typeof row.payload_summary === "string"
        ? (JSON.parse(row.payload_summary) as JsonObject)
        : row.payload_summary,
    recordTime: toDate(row.record_time),
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** A PostgreSQL array literal of text values, for a `?::text[]` parameter. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
