import type { Db } from "@shopmesh/kit/db";
import type { Logger } from "@shopmesh/kit/log";
import { createPeriodicTask } from "@shopmesh/kit/periodic";
import { AVAILABILITY_BATCH } from "./sources/inventory.ts";
import { clearDirty, dirtyMarks, flushLockKey, tryLockFlush } from "./store/availability.ts";
import { emSql, type Sql } from "./store/sql.ts";

/**
 * Refreshes the SKUs inventory's events marked dirty (store/availability.ts markDirty), many
 * events at a time: a burst of checkouts on one SKU costs one GetAvailability and one write of
 * the projection per flush, not per event.
 *
 * A flush is one transaction: the flush lock (one flusher at a time over all replicas), up to
 * AVAILABILITY_BATCH dirty SKUs, their refresh (lock rows, one batched read of inventory, write,
 * in_stock) and the deletion of the marks it covered. It runs `delayMs` after a wake (an event's
 * marks committed: more arrive meanwhile and join it), every `sweepMs` as a safety net (marks of a
 * replica that died before flushing, a wake lost to a failure), and once at start.
 */
export interface AvailabilityFlusher {
  /** Marks committed: flushes after the delay (a flush already due takes them along). */
  wake(): void;
  /**
   * Flushes every mark now (after a flush in progress) and resolves with how many SKUs it
   * refreshed; resolves 0 at once when another replica holds the flush lock (this one then
   * tries again after the delay). Throws when a flush fails (the marks stay).
   */
  flush(): Promise<number>;
  /** Starts the sweep and flushes what an earlier process left. */
  start(): void;
  /** Stops the timers and waits for a flush in progress. */
  stop(): Promise<void>;
}

export interface AvailabilityFlusherOptions {
  db: Db;
  /** Refreshes `skus` in the transaction of `sql` (AvailabilitySync.refresh). */
  refresh(sql: Sql, skus: readonly string[]): Promise<number>;
  logger: Logger;
  /** From a wake to its flush. Default 50 ms. */
  delayMs?: number;
  /** Default 5,000 ms. */
  sweepMs?: number;
  /** First delay after a failed flush, doubled per failure up to `maxRetryMs`. Default 1,000 ms. */
  retryMs?: number;
  /** Default 30,000 ms. */
  maxRetryMs?: number;
}

type FlushOutcome = { busy: true } | { busy: false; skus: number; more: boolean };

export function createAvailabilityFlusher(options: AvailabilityFlusherOptions): AvailabilityFlusher {
  const { db, refresh } = options;
  const log = options.logger.child({ component: "availability-flusher" });
  const delayMs = options.delayMs ?? 50;
  const retryMs = options.retryMs ?? 1_000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const lockKey = flushLockKey(db.schema);
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  /** A wake that came while flushes were failing, for the first flush that succeeds again. */
  let wokenWhileFailing = false;
  let stopped = false;

  function flushOnce(): Promise<FlushOutcome> {
    return db.transaction(async (em) => {
      const sql = emSql(em);
      if (!(await tryLockFlush(sql, lockKey))) return { busy: true };
      const marks = await dirtyMarks(sql, AVAILABILITY_BATCH);
      if (marks.length === 0) return { busy: false, skus: 0, more: false };
      await refresh(
        sql,
        marks.map((mark) => mark.sku),
      );
      await clearDirty(sql, marks);
      return { busy: false, skus: marks.length, more: marks.length === AVAILABILITY_BATCH };
    });
  }

  async function flushAll(): Promise<number> {
    let skus = 0;
    try {
      while (!stopped) {
        const outcome = await flushOnce();
        if (outcome.busy) {
          // Another replica is flushing; it may have read the marks before ours committed.
          schedule(delayMs);
          break;
        }
        skus += outcome.skus;
        if (!outcome.more) break;
      }
    } catch (err) {
      failures += 1;
      const retryInMs = Math.min(retryMs * 2 ** (failures - 1), maxRetryMs);
      log.warn({ err, retryInMs }, "availability flush failed; the marks stay and are retried");
      schedule(retryInMs);
      throw err;
    }
    if (failures > 0 && wokenWhileFailing) schedule(delayMs);
    failures = 0;
    wokenWhileFailing = false;
    return skus;
  }

  const task = createPeriodicTask({
    intervalMs: options.sweepMs ?? 5_000,
    logger: log,
    run: flushAll,
    done: "dirty availability flushed by the sweep",
    failed: "availability sweep failed",
    level: "debug",
  });

  function schedule(ms: number): void {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      // Failures are logged (and retried) by flushAll.
      task.run().catch(() => undefined);
    }, ms);
    timer.unref();
  }

  return {
    wake() {
      // While flushes fail, the retry with backoff is already scheduled: wakes must not hurry it.
      if (failures > 0) wokenWhileFailing = true;
      else schedule(delayMs);
    },
    flush: () => task.run(),
    start() {
      if (stopped) return;
      task.start();
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await task.stop();
    },
  };
}
