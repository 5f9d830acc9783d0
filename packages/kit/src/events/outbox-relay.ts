import { jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { createSql, type Db, type PgPoolClient, quoteIdent, watchCommittedInserts } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { type AckPublisher, createAckPublisher } from "./ack-publisher.ts";
import { checkContext, checkToken } from "./naming.ts";
import { ensureStream, type StreamOptions } from "./streams.ts";

export interface OutboxRelayOptions {
  db: Db;
  nats: NatsConnection;
  /** The publishing context; its stream is created when missing. */
  context: string;
  /** Subject prefix (config EVENTS_PREFIX). */
  prefix: string;
  logger: Logger;
  /** Rows per transaction, all published with their acks in flight together; default 1000. */
  batchSize?: number;
  /** Scan for rows other processes committed (this process's own commits wake the relay at once); default 2000 ms. */
  pollIntervalMs?: number;
  /** How long to wait for one publish ack; default 5000 ms. */
  publishTimeoutMs?: number;
  /** First retry delay of a row that failed to publish, doubled per attempt; default 500 ms. */
  retryBaseMs?: number;
  /** Longest retry delay; default 60 s. */
  retryMaxMs?: number;
  /** Published rows older than this are deleted; default 24 h, `Infinity` keeps them. */
  retainHours?: number;
  /** Passed to `ensureStream`. */
  stream?: StreamOptions;
  /**
   * The service's metrics: events published by type, and the backlog gauge sampled every
   * `backlogSampleMs` while the relay runs.
   */
  metrics?: Pick<Metrics, "eventsPublished" | "outboxBacklog">;
  /** How often the backlog gauge is sampled; default 15 s. */
  backlogSampleMs?: number;
  /** After each batch is marked published: how many, and how many of each event type. */
  onPublished?(count: number, byType: ReadonlyMap<string, number>): void;
  onFailed?(count: number, error: Error): void;
}

export interface OutboxRelay {
  /** Ensures the stream, starts listening for new rows and publishing them. */
  start(): Promise<void>;
  /** Stops after the batch in flight is published and marked. */
  stop(): Promise<void>;
  /** Publishes everything due now (works with or without `start`); returns how many were published. */
  flush(): Promise<number>;
  /** Rows not yet published, for a backlog gauge. */
  backlog(): Promise<number>;
}

interface OutboxRow {
  id: string;
  type: string;
  subject: string;
  headers: Record<string, string>;
  data: Uint8Array;
  attempts: number;
}

interface Batch {
  session: PgPoolClient;
  rows: OutboxRow[];
}

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Publishes the outbox of one service to JetStream, at least once, in id order while no row fails.
 *
 * Each batch is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` in a transaction that stays open
 * while the batch is published and is committed after the rows are marked, so replicas never
 * publish the same row concurrently and a crash at any point leaves the rows unmarked for the next
 * try. A row published but not marked (crash between ack and COMMIT) is published again with the
 * same Nats-Msg-Id (= event id) and JetStream drops the copy within its duplicate window. That
 * also makes the marking commit safe to be asynchronous (synchronous_commit off: a crash of the
 * database may forget the marks of its last moment, never a row).
 * Acks are awaited a batch at a time, with the next batch already claimed and sent meanwhile.
 *
 * Rows committed by this process wake the relay at once (the kit's SQL and ORM report their
 * committed outbox inserts: watchCommittedInserts); a poll every `pollIntervalMs` finds rows
 * committed by other processes or left by a process that died before relaying them. Failed rows are retried with
 * exponential backoff (their `available_at` moves forward) and their last error is kept.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, nats, logger } = options;
  const context = checkContext(options.context);
  const prefix = checkToken(options.prefix, "prefix");
  const batchSize = positive(options.batchSize ?? 1000, "batchSize");
  if (!Number.isInteger(batchSize)) throw new Error("batchSize: must be a whole number");
  const pollIntervalMs = positive(options.pollIntervalMs ?? 2000, "pollIntervalMs");
  const publishTimeoutMs = positive(options.publishTimeoutMs ?? 5000, "publishTimeoutMs");
  const retryBaseMs = positive(options.retryBaseMs ?? 500, "retryBaseMs");
  const retryMaxMs = positive(options.retryMaxMs ?? 60_000, "retryMaxMs");
  const retainHours = positive(options.retainHours ?? 24, "retainHours");
  const table = `${quoteIdent(db.schema)}.outbox_events`;
  const subjectPrefix = `${prefix}.${context}.`;
  const log = logger.child({ component: "outbox-relay", context });

  let publisher: AckPublisher | undefined;
  let unwatch: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let running = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | undefined;
  let lastPurge = 0;

  const wake = () => {
    wakeRequested = true;
    wakeUp?.();
  };

  const retryDelaySeconds = (attempts: number) => {
    const base = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempts, 20));
    return (base * (0.8 + Math.random() * 0.4)) / 1000;
  };

  const publishOne = (client: AckPublisher, row: OutboxRow): Promise<unknown> => {
    if (!row.subject.startsWith(subjectPrefix)) {
      return Promise.reject(new Error(`subject ${row.subject} is outside stream ${subjectPrefix}>`));
    }
    const h = natsHeaders();
    for (const [key, value] of Object.entries(row.headers)) h.set(key, value);
    h.set("Nats-Msg-Id", row.id);
    return client.publish(row.subject, row.data, h, publishTimeoutMs);
  };

  /** Opens a transaction and locks the next due rows that no other relay holds. */
  const claim = async (): Promise<Batch> => {
    const pool = await db.pool();
    const session: PgPoolClient = await pool.connect();
    try {
      // Commits without waiting for the WAL flush: losing the "published" marks of the last
      // moment to a crash of the database only publishes those rows again (same Nats-Msg-Id,
      // dropped by JetStream; consumers are idempotent), and the relay's commits no longer queue
      // behind, and add to, the flushes of the services' own transactions.
      await session.query("begin; set local synchronous_commit to off");
      // prepared: the relay runs these few statements all day, planned once per session
      const { rows } = await createSql(session).query<OutboxRow>(
        `select id, type, subject, headers, data, attempts from ${table}
          where published_at is null and available_at <= now()
          order by id limit $1 for update skip locked`,
        [batchSize],
      );
      return { session, rows };
    } catch (err) {
      await session.query("rollback").catch(() => undefined);
      session.release(err as Error);
      throw err;
    }
  };

  /** Waits for the acks, marks sent rows published and failed ones for a later try, commits. */
  const complete = async (batch: Batch, acks: Promise<PromiseSettledResult<unknown>[]>): Promise<number> => {
    const { session, rows } = batch;
    let broken: Error | undefined;
    try {
      const results = await acks;
      const sent: string[] = [];
      const failedIds: string[] = [];
      const failedErrors: string[] = [];
      const failedDelays: number[] = [];
      const byType = new Map<string, number>();
      let firstError: Error | undefined;
      results.forEach((result, index) => {
        const row = rows[index]!;
        if (result.status === "fulfilled") {
          sent.push(row.id);
          byType.set(row.type, (byType.get(row.type) ?? 0) + 1);
        } else {
          const error = result.reason instanceof Error ? result.reason : new Error(String(result.reason));
          firstError ??= error;
          failedIds.push(row.id);
          failedErrors.push(error.message.slice(0, 1000));
          failedDelays.push(retryDelaySeconds(row.attempts));
        }
      });
      const sql = createSql(session);
      if (sent.length > 0) {
        await sql.query(
          `update ${table} set published_at = now(), attempts = attempts + 1 where id = any($1::uuid[])`,
          [sent],
        );
      }
      if (failedIds.length > 0) {
        await sql.query(
          `update ${table} as o
              set attempts = o.attempts + 1, last_error = f.error,
                  available_at = now() + make_interval(secs => f.delay)
             from unnest($1::uuid[], $2::text[], $3::float8[]) as f(id, error, delay)
            where o.id = f.id`,
          [failedIds, failedErrors, failedDelays],
        );
      }
      await session.query("commit");
      if (sent.length > 0) {
        for (const [type, n] of byType) options.metrics?.eventsPublished.inc({ type }, n);
        options.onPublished?.(sent.length, byType);
      }
      if (firstError) {
        options.onFailed?.(failedIds.length, firstError);
        log.warn({ failed: failedIds.length, err: firstError }, "outbox events not published; will retry");
      }
      return sent.length;
    } catch (err) {
      broken = err as Error;
      await session.query("rollback").catch(() => undefined);
      throw err;
    } finally {
      session.release(broken);
    }
  };

  /**
   * Publishes batches until no full batch is due. Two batches overlap: the next is claimed and
   * sent while the acks of the previous are awaited and marked. Its messages are handed to the
   * connection only after all of the previous batch's, so the stream keeps the outbox order.
   */
  const drain = async (keepGoing: () => boolean): Promise<number> => {
    publisher ??= createAckPublisher(nats);
    const client = publisher;
    let total = 0;
    let previous: Promise<number> | undefined;
    try {
      for (;;) {
        const batch = await claim();
        if (batch.rows.length === 0) {
          await batch.session.query("commit");
          batch.session.release();
          break;
        }
        const acks = Promise.allSettled(batch.rows.map((row) => publishOne(client, row)));
        const done = complete(batch, acks);
        // Awaited below or in finally; this only keeps an early failure from counting as unhandled.
        done.catch(() => undefined);
        if (previous) total += await previous;
        previous = done;
        if (batch.rows.length < batchSize || !keepGoing()) break;
      }
    } finally {
      if (previous) total += await previous;
    }
    return total;
  };

  const purge = async () => {
    if (!Number.isFinite(retainHours) || Date.now() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = Date.now();
    const rows = await db.execute<{ count: string }>(
      `with gone as (delete from ${table} where published_at < now() - make_interval(secs => ?) returning 1)
       select count(*) as count from gone`,
      [retainHours * 3600],
    );
    const count = Number(rows[0]?.count ?? 0);
    if (count > 0) log.debug({ count }, "purged published outbox events");
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const run = async () => {
    let failures = 0;
    while (running) {
      wakeRequested = false;
      try {
        await drain(() => running);
        failures = 0;
        await purge();
      } catch (err) {
        failures++;
        log.error({ err }, "outbox relay batch failed");
      }
      if (!running) break;
      if (wakeRequested) continue;
      const delay =
        failures > 0 ? Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(failures, 20)) : pollIntervalMs;
      await sleep(Math.min(delay, pollIntervalMs));
    }
  };

  let sampler: NodeJS.Timeout | undefined;
  const relay: OutboxRelay = {
    async start() {
      if (running) return;
      try {
        await db.execute(`select 1 from ${table} limit 0`);
      } catch (err) {
        throw new Error(
          `db: schema ${db.schema} has no outbox_events table; add EVENTS_MIGRATIONS to its migrations`,
          {
            cause: err,
          },
        );
      }
      await ensureStream(await jetstreamManager(nats), prefix, context, options.stream);
      unwatch = watchCommittedInserts("outbox_events", wake);
      running = true;
      loop = run();
      const gauge = options.metrics?.outboxBacklog;
      if (gauge) {
        sampler = setInterval(() => {
          relay
            .backlog()
            .then((count) => gauge.set(count))
            .catch(() => undefined);
        }, options.backlogSampleMs ?? 15_000);
        sampler.unref();
      }
      log.info({ stream: `${prefix}.${context}.>` }, "outbox relay started");
    },
    async stop() {
      if (sampler) clearInterval(sampler);
      sampler = undefined;
      if (running) {
        running = false;
        wake();
        await loop;
        unwatch?.();
        unwatch = undefined;
        loop = undefined;
      }
      publisher?.close();
      publisher = undefined;
    },
    flush: () => drain(() => true),
    async backlog() {
      const rows = await db.execute<{ count: string }>(
        `select count(*) as count from ${table} where published_at is null`,
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
  return relay;
}

function positive(value: number, field: string): number {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new Error(`${field}: must be a positive number`);
  }
  return value;
}
