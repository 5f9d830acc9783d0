import type { Db } from "@shopmesh/kit/db";
import type { Logger } from "@shopmesh/kit/log";
import { createAvailabilityFlusher } from "./availability-flusher.ts";
import type { AvailabilitySource } from "./sources/inventory.ts";
import { AVAILABILITY_BATCH } from "./sources/inventory.ts";
import {
  allSkus,
  lockSkus,
  markDirty,
  reconcileInStock,
  refreshInStock,
  unknownSkus,
  writeAvailability,
} from "./store/availability.ts";
import { emSql, poolSql, type Sql } from "./store/sql.ts";

/**
 * Keeps catalog's projection of inventory's availability (store/availability.ts) current: for
 * the SKUs inventory's events marked dirty (inventory-events.ts), a few at a time by the flusher
 * (availability-flusher.ts), and in the background for SKUs the projection has never seen (at
 * start, after product changes) or for all SKUs (after a warehouse was switched on or off).
 */
export interface AvailabilitySync {
  /**
   * Locks the SKUs' projection rows in the transaction of `sql`, reads their availability from
   * inventory, stores what changed and recomputes the in_stock of the products holding a SKU
   * that went from none to some or back; resolves with how many products changed.
   * Order-insensitive and idempotent: it stores what inventory says now, never a delta.
   */
  refresh(sql: Sql, skus: readonly string[]): Promise<number>;
  /**
   * Marks the SKUs as needing a refresh, in the transaction of `sql`; call `wake` once it
   * committed. The marks are rows: a crash before the flush loses none.
   */
  mark(sql: Sql, skus: readonly string[]): Promise<void>;
  /** Marks were committed: the flusher refreshes them shortly (50 ms), together with the marks made meanwhile. */
  wake(): void;
  /** Refreshes every marked SKU now; resolves with how many (0 when another replica is flushing). */
  flush(): Promise<number>;
  /**
   * Starts a background run (or queues one behind the running one): "unknown" fetches the SKUs
   * without a projection row, "all" every SKU. Batches of 500, one at a time; failed runs are
   * retried with backoff until they succeed or the sync stops.
   */
  request(mode: SyncMode): void;
  /**
   * Starts the background work: a run for the SKUs never seen, the flusher (which first takes up
   * the marks an earlier process left), and every `reconcileMs` a recomputation of every
   * product's in-stock flag from the projection (a safety net).
   */
  start(): void;
  /** Resolves when no run is going or queued (for tests). */
  settled(): Promise<void>;
  /** Stops background runs and the flusher (the batch in hand finishes). */
  stop(): Promise<void>;
}

export type SyncMode = "unknown" | "all";

export interface AvailabilitySyncOptions {
  db: Db;
  source: AvailabilitySource;
  /** The NOTIFY channel that tells the catalog in-stock flags changed (store/availability.ts). */
  notifyChannel: string;
  logger: Logger;
  /** First delay after a failed run, doubled per failure up to `maxRetryMs`. Default 1,000 ms. */
  retryMs?: number;
  /** Default 30,000 ms. */
  maxRetryMs?: number;
  /** Default 60,000 ms. */
  reconcileMs?: number;
  /** From a wake to the flush of the marks. Default 50 ms. */
  flushDelayMs?: number;
  /** How often the flusher looks for marks nobody woke it for. Default 5,000 ms. */
  flushSweepMs?: number;
}

export function createAvailabilitySync(options: AvailabilitySyncOptions): AvailabilitySync {
  const { db, source, notifyChannel } = options;
  const log = options.logger.child({ component: "availability-sync" });
  const firstRetryMs = options.retryMs ?? 1_000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let running: Promise<void> | undefined;
  let queued: SyncMode | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;

  async function reconcile(): Promise<void> {
    try {
      const changed = await reconcileInStock(poolSql(await db.pool()), notifyChannel);
      if (changed > 0) log.warn({ changed }, "in-stock flags were behind the projection; corrected");
    } catch (err) {
      log.warn({ err }, "in-stock reconciliation failed");
    }
  }

  async function refresh(sql: Sql, skus: readonly string[]): Promise<number> {
    if (skus.length === 0) return 0;
    const held = await lockSkus(sql, skus);
    const items = await source.availability([...held.keys()]);
    const changed = items.filter((item) => held.get(item.sku) !== item.available);
    await writeAvailability(sql, changed);
    // in_stock only moves when a SKU goes from none to some or back: most checkouts leave it be.
    const crossed = changed.filter((item) => (held.get(item.sku) ?? 0n) > 0n !== item.available > 0n);
    return refreshInStock(
      sql,
      crossed.map((item) => item.sku),
      notifyChannel,
    );
  }

  const flusher = createAvailabilityFlusher({
    db,
    refresh,
    logger: options.logger,
    retryMs: firstRetryMs,
    maxRetryMs,
    ...(options.flushDelayMs === undefined ? {} : { delayMs: options.flushDelayMs }),
    ...(options.flushSweepMs === undefined ? {} : { sweepMs: options.flushSweepMs }),
  });

  /** One pass over the SKUs of `mode`, batch after batch, each batch its own transaction. */
  async function pass(mode: SyncMode): Promise<number> {
    const read = poolSql(await db.pool());
    let after = "";
    let skusSeen = 0;
    while (!stopped) {
      const skus =
        mode === "all"
          ? await allSkus(read, after, AVAILABILITY_BATCH)
          : await unknownSkus(read, after, AVAILABILITY_BATCH);
      if (skus.length === 0) break;
      await db.transaction((em) => refresh(emSql(em), skus));
      skusSeen += skus.length;
      after = skus.at(-1) as string;
      if (skus.length < AVAILABILITY_BATCH) break;
    }
    return skusSeen;
  }

  async function loop(first: SyncMode): Promise<void> {
    let mode: SyncMode | undefined = first;
    let delay = firstRetryMs;
    while (mode && !stopped) {
      try {
        const skus = await pass(mode);
        // New SKUs are looked up after every product write: routine, so only a full pass is news.
        if (skus > 0)
          log[mode === "unknown" ? "debug" : "info"](
            { mode, skus },
            "availability synchronised from inventory",
          );
        mode = queued;
        queued = undefined;
        delay = firstRetryMs;
      } catch (err) {
        log.warn({ err, mode, retryInMs: delay }, "availability sync failed; will retry");
        // A request that arrived meanwhile joins the retry ("all" covers "unknown").
        if (queued === "all") mode = "all";
        queued = undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        delay = Math.min(delay * 2, maxRetryMs);
      }
    }
  }

  return {
    refresh,
    mark: markDirty,
    wake: () => flusher.wake(),
    flush: () => flusher.flush(),
    start() {
      if (stopped || reconcileTimer) return;
      reconcileTimer = setInterval(() => void reconcile(), options.reconcileMs ?? 60_000);
      reconcileTimer.unref();
      flusher.start();
      this.request("unknown");
    },
    request(mode) {
      if (stopped) return;
      if (running) {
        queued = queued === "all" || mode === "all" ? "all" : "unknown";
        return;
      }
      running = loop(mode).finally(() => {
        running = undefined;
      });
    },
    async settled() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(reconcileTimer);
      wake?.();
      await Promise.all([running, flusher.stop()]);
    },
  };
}
