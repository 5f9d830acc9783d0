import type { Db } from "@shopmesh/kit/db";
import type { Logger } from "@shopmesh/kit/log";
import type { AvailabilitySource } from "./sources/inventory.ts";
import { AVAILABILITY_BATCH } from "./sources/inventory.ts";
import {
  allSkus,
  lockSkus,
  reconcileInStock,
  refreshInStock,
  unknownSkus,
  writeAvailability,
} from "./store/availability.ts";
import { emSql, poolSql, type Sql } from "./store/sql.ts";

/**
 * Keeps catalog's projection of inventory's availability (store/availability.ts) current: on
 * each inventory event (inventory-events.ts) for the SKUs it names, and in the background for
 * SKUs the projection has never seen (at start, after product changes) or for all SKUs (after a
 * warehouse was switched on or off).
 */
export interface AvailabilitySync {
  /**
   * Locks the SKUs' projection rows in the transaction of `sql`, reads their availability from
   * inventory, stores it and recomputes the products' in_stock; resolves with how many products
   * changed. Order-insensitive and idempotent: it stores what inventory says now, never a delta.
   */
  refresh(sql: Sql, skus: readonly string[]): Promise<number>;
  /**
   * Starts a background run (or queues one behind the running one): "unknown" fetches the SKUs
   * without a projection row, "all" every SKU. Batches of 500, one at a time; failed runs are
   * retried with backoff until they succeed or the sync stops.
   */
  request(mode: SyncMode): void;
  /**
   * Starts the background work: a run for the SKUs never seen, and every `reconcileMs` a
   * recomputation of every product's in-stock flag from the projection (a safety net).
   */
  start(): void;
  /** Resolves when no run is going or queued (for tests). */
  settled(): Promise<void>;
  /** Stops background runs (the batch in hand finishes). */
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
    await lockSkus(sql, skus);
    const items = await source.availability(skus);
    await writeAvailability(sql, items);
    return refreshInStock(sql, skus, notifyChannel);
  }

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
    start() {
      if (stopped || reconcileTimer) return;
      reconcileTimer = setInterval(() => void reconcile(), options.reconcileMs ?? 60_000);
      reconcileTimer.unref();
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
      await running;
    },
  };
}
