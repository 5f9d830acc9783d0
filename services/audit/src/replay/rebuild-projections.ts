import { type Db, quoteIdent } from "@shopmesh/kit/db";
import { type NatsConnection, streamName, streamState } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import { PROJECTED_TYPES } from "../domain/projection.ts";
import { createEntryRepository } from "../store/entries.ts";
import { PROJECTION_TABLES, type ProjectionTableName, projectionDdl } from "../store/migrations.ts";
import { createProjectionWriter } from "../store/projections.ts";
import { emSql, qualified, type Sql } from "../store/sql.ts";
import { AUDITED_CONTEXTS, type AuditedContext } from "../streams.ts";
import { emptyProgress, type ReplayProgress, replayRange } from "./replay-stream.ts";

/**
 * Rebuilds the analytics projections by replaying every audited stream from its first message
 * into fresh tables in a shadow schema (<schema>_rebuild), compares them with the live tables
 * and, when asked, replaces the live contents with the rebuilt ones.
 *
 * 1. Bulk: each stream is replayed up to its last sequence, twice (the second pass catches up
 *    with what arrived meanwhile), without holding anything the live consumers need.
 * 2. Settle: in one transaction that holds the chain head — every live append takes it first, so
 *    the live tables stand still — the rest of each stream is replayed, events that were not yet
 *    in the live log are looked at again, the tables are compared and, with `swap`, replaced.
 *
 * Only events the live log holds are applied (see replay-stream.ts), so the comparison is of the
 * same events folded twice: live, in whatever order the consumers met them, and replayed.
 */

export interface RebuildOptions {
  db: Db;
  nats: NatsConnection;
  prefix: string;
  logger: Logger;
  contexts?: readonly AuditedContext[];
  /** Replace the live projections with the rebuilt ones when they differ. */
  swap?: boolean;
  /** Keep the shadow schema afterwards (to look at it); default dropped. */
  keepShadow?: boolean;
  batchSize?: number;
}

export interface StreamReplay {
  context: string;
  stream: string;
  /** The last sequence replayed; 0 when the stream does not exist. */
  lastSequence: number;
  read: number;
  applied: number;
  /** Events in the stream the live log does not hold (not consumed yet, or dead-lettered). */
  notInLiveLog: number;
  undecodable: number;
}

export interface TableDifference {
  table: ProjectionTableName;
  /** Rows only the live table has (or has with other values), and only the rebuilt one. */
  onlyLive: number;
  onlyRebuilt: number;
  /** Up to 10 rows of each side. */
  examples: { side: "live" | "rebuilt"; row: Record<string, unknown> }[];
}

export interface RebuildReport {
  /** The rebuilt tables equal the live ones. */
  equal: boolean;
  /** The live tables were replaced by the rebuilt ones. */
  swapped: boolean;
  streams: StreamReplay[];
  /** Live log entries of event types that feed the projections, and how many the replay applied. */
  liveEntries: number;
  replayedEvents: number;
  differences: TableDifference[];
  shadowSchema: string;
}

export async function rebuildProjections(options: RebuildOptions): Promise<RebuildReport> {
  const { db, nats, prefix, logger } = options;
  const contexts = options.contexts ?? AUDITED_CONTEXTS;
  const live = db.schema;
  const shadow = `${live}_rebuild`;
  const log = logger.child({ component: "rebuild" });
  const apply = createProjectionWriter(shadow);
  const progress = new Map<string, ReplayProgress>(contexts.map((c) => [c.context, emptyProgress()]));
  const inOwnTransaction = <T>(fn: (sql: Sql) => Promise<T>) => db.transaction((em) => fn(emSql(em)));

  const pool = await db.pool();
  const session = await pool.connect();
  const lockKey = `shopmesh:audit-rebuild:${live}`;
  let locked = false;
  try {
    const [row] = (
      await session.query<{ locked: boolean }>(
        "select pg_try_advisory_lock(hashtextextended($1, 0)) as locked",
        [lockKey],
      )
    ).rows;
    locked = row?.locked === true;
    if (!locked) throw new Error(`another rebuild of schema ${live} is running`);

    await createShadow(db, shadow);
    log.info({ shadow }, "replaying streams");
    for (const pass of [1, 2]) {
      for (const context of contexts) {
        const state = await streamState(nats, prefix, context.context);
        const done = progress.get(context.context)!;
        if (!state || state.lastSeq <= done.readTo) continue;
        await replayRange(
          {
            nats,
            prefix,
            context,
            inBatch: inOwnTransaction,
            liveSchema: live,
            shadowSchema: shadow,
            apply,
            fromSeq: done.readTo + 1,
            toSeq: state.lastSeq,
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          },
          done,
        );
        log.info({ context: context.context, pass, readTo: done.readTo, applied: done.applied }, "replayed");
      }
    }

    const report = await db.transaction(async (em) => {
      const sql = emSql(em);
      const entries = createEntryRepository(sql, live);
      await entries.lockHead();
      const inThisTransaction = <T>(fn: (batchSql: Sql) => Promise<T>) => fn(sql);
      const streams: StreamReplay[] = [];
      for (const context of contexts) {
        const done = progress.get(context.context)!;
        const common = {
          nats,
          prefix,
          context,
          inBatch: inThisTransaction,
          liveSchema: live,
          shadowSchema: shadow,
          apply,
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        };
        if (done.pending.size > 0) {
          const first = Math.min(...done.pending.keys());
          await replayRange(
            { ...common, fromSeq: first, toSeq: done.readTo, only: new Set(done.pending.values()) },
            done,
          );
        }
        const state = await streamState(nats, prefix, context.context);
        if (state && state.lastSeq > done.readTo) {
          await replayRange({ ...common, fromSeq: done.readTo + 1, toSeq: state.lastSeq }, done);
        }
        streams.push({
          context: context.context,
          stream: streamName(prefix, context.context),
          lastSequence: done.readTo,
          read: done.read,
          applied: done.applied,
          notInLiveLog: done.pending.size,
          undecodable: done.undecodable,
        });
      }

      const liveEntries = await entries.countOfTypes([...PROJECTED_TYPES]);
      const replayedEvents = streams.reduce((sum, stream) => sum + stream.applied, 0);
      const differences = await compareTables(sql, live, shadow);
      const equal = differences.length === 0;
      let swapped = false;
      if (!equal && options.swap) {
        await swapTables(sql, live, shadow);
        swapped = true;
      }
      return { equal, swapped, streams, liveEntries, replayedEvents, differences, shadowSchema: shadow };
    });
    log.info(
      { equal: report.equal, swapped: report.swapped, liveEntries: report.liveEntries },
      "rebuild finished",
    );
    return report;
  } finally {
    if (!options.keepShadow) {
      await db.execute(`drop schema if exists ${quoteIdent(shadow)} cascade`).catch(() => undefined);
    }
    // Unlocked before the session goes: its end reaches the server a moment later.
    if (locked) {
      await session
        .query("select pg_advisory_unlock(hashtextextended($1, 0))", [lockKey])
        .catch(() => undefined);
    }
    session.release(true);
  }
}

/** A fresh shadow schema with empty projection tables and the replay's inbox. */
async function createShadow(db: Db, shadow: string): Promise<void> {
  await db.execute(`drop schema if exists ${quoteIdent(shadow)} cascade`);
  await db.execute(`create schema ${quoteIdent(shadow)}`);
  for (const statement of projectionDdl((name) => qualified(shadow, name))) await db.execute(statement);
  await db.execute(`create table ${qualified(shadow, "replayed_events")} (event_id text primary key)`);
}

/** The rows that differ between the live and the rebuilt tables (as multisets). */
async function compareTables(sql: Sql, live: string, shadow: string): Promise<TableDifference[]> {
  const differences: TableDifference[] = [];
  for (const table of PROJECTION_TABLES) {
    const a = qualified(live, table);
    const b = qualified(shadow, table);
    const [counts] = await sql<{ only_live: string; only_rebuilt: string }>(
      `select (select count(*) from (select * from ${a} except all select * from ${b}) x)::text as only_live,
              (select count(*) from (select * from ${b} except all select * from ${a}) y)::text as only_rebuilt`,
    );
    const onlyLive = Number(counts?.only_live ?? 0);
    const onlyRebuilt = Number(counts?.only_rebuilt ?? 0);
    if (onlyLive === 0 && onlyRebuilt === 0) continue;
    const examples = await sql<{ side: "live" | "rebuilt"; row: Record<string, unknown> | string }>(
      `(select 'live' as side, to_jsonb(x) as row from (select * from ${a} except all select * from ${b}) x limit 10)
       union all
       (select 'rebuilt' as side, to_jsonb(y) as row from (select * from ${b} except all select * from ${a}) y limit 10)`,
    );
    differences.push({
      table,
      onlyLive,
      onlyRebuilt,
      examples: examples.map((example) => ({
        side: example.side,
        row: typeof example.row === "string" ? JSON.parse(example.row) : example.row,
      })),
    });
  }
  return differences;
}

/** Replaces the live tables' rows with the rebuilt ones (same shape: both come from projectionDdl). */
async function swapTables(sql: Sql, live: string, shadow: string): Promise<void> {
  for (const table of PROJECTION_TABLES) {
    await sql(`delete from ${qualified(live, table)}`);
    await sql(`insert into ${qualified(live, table)} select * from ${qualified(shadow, table)}`);
  }
}
