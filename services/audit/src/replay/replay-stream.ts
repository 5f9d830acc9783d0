import { fromBinary } from "@bufbuild/protobuf";
import { type NatsConnection, readStreamEvents } from "@shopmesh/kit/events";
import { PROJECTED_TYPES, type ProjectedEvent, projectEvent } from "../domain/projection.ts";
import { createEntryRepository, textArray } from "../store/entries.ts";
import type { ApplyProjections } from "../store/projections.ts";
import { qualified, type Sql } from "../store/sql.ts";
import { type AuditedContext, eventSchema } from "../streams.ts";

/**
 * Replays part of one context's stream into the rebuild's shadow projection tables. Only events
 * the live audit log holds are applied — an event the live consumers have not handled yet (or
 * dead-lettered) would otherwise make the two differ for no fault of either — and each at most
 * once (a `replayed_events` table plays the inbox), exactly as the live consumers do.
 */

/** What one replay read and did. */
export interface ReplayProgress {
  /** The last sequence read. */
  readTo: number;
  /** Messages read, of any type. */
  read: number;
  /** Events applied to the shadow tables. */
  applied: number;
  /** Projected events in the stream that the live log does not hold, by sequence: id. */
  pending: Map<number, string>;
  /** Messages whose body does not decode (the live consumers dead-letter them). */
  undecodable: number;
}

export function emptyProgress(): ReplayProgress {
  return { readTo: 0, read: 0, applied: 0, pending: new Map(), undecodable: 0 };
}

export interface ReplayRangeOptions {
  nats: NatsConnection;
  prefix: string;
  context: AuditedContext;
  /** Runs the statements of one batch: in its own transaction, or in the caller's. */
  inBatch: <T>(fn: (sql: Sql) => Promise<T>) => Promise<T>;
  liveSchema: string;
  shadowSchema: string;
  apply: ApplyProjections;
  fromSeq: number;
  toSeq: number;
  /** Only these events (by id) are considered: a second look at what was pending. */
  only?: ReadonlySet<string>;
  batchSize?: number;
}

/** Replays `fromSeq`..`toSeq` and updates `progress` (readTo, counts, pending). */
export async function replayRange(options: ReplayRangeOptions, progress: ReplayProgress): Promise<void> {
  const batchSize = options.batchSize ?? 500;
  const replayed = qualified(options.shadowSchema, "replayed_events");
  let batch: { seq: number; event: ProjectedEvent & { id: string } }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    await options.inBatch(async (sql) => {
      const ids = current.map(({ event }) => event.id);
      const audited = await createEntryRepository(sql, options.liveSchema).audited(ids);
      const first = new Set(
        (
          await sql<{ event_id: string }>(
            `insert into ${replayed} (event_id) select unnest(?::text[])
             on conflict do nothing returning event_id`,
            [textArray(ids.filter((id) => audited.has(id)))],
          )
        ).map((row) => row.event_id),
      );
      for (const { seq, event } of current) {
        if (!audited.has(event.id)) {
          progress.pending.set(seq, event.id);
          continue;
        }
        progress.pending.delete(seq);
        if (!first.has(event.id)) continue;
        // Applied once per id even when the stream holds a re-published copy.
        first.delete(event.id);
        await options.apply(sql, projectEvent(event));
        progress.applied++;
      }
    });
  };

  for await (const stored of readStreamEvents(options.nats, options.prefix, options.context.context, {
    fromSeq: options.fromSeq,
    toSeq: options.toSeq,
    batchSize,
  })) {
    if (!options.only) progress.read++;
    progress.readTo = Math.max(progress.readTo, stored.seq);
    const { id, type, time } = stored.envelope;
    if (!id || !type || !PROJECTED_TYPES.has(type)) continue;
    if (options.only && !options.only.has(id)) continue;
    const schema = eventSchema(options.context, type);
    if (!schema) continue;
    let data: ProjectedEvent["data"];
    try {
      data = fromBinary(schema, stored.data);
    } catch {
      progress.undecodable++;
      continue;
    }
    batch.push({ seq: stored.seq, event: { id, type, time: time ?? stored.publishTime, data } });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  progress.readTo = Math.max(progress.readTo, options.toSeq);
}
