import type { Logger } from "@shopmesh/kit/log";
import { createPeriodicTask } from "@shopmesh/kit/periodic";
import { retentionCutoff } from "./domain/idempotency.ts";
import type { PaymentStore } from "./store/index.ts";

/** Deletes idempotency keys past their retention, in the background. */
export interface IdempotencyPruner {
  /** Prunes every `intervalMs` until stopped. */
  start(): void;
  /** Stops the timer and waits for a prune in progress. */
  stop(): Promise<void>;
  /** Deletes every key older than the retention at `now` (default: the clock); resolves with how many. */
  prune(now?: Date): Promise<number>;
}

export interface IdempotencyPrunerOptions {
  store: PaymentStore;
  logger: Logger;
  intervalMs: number;
  /** How long a key is kept after its first request (IDEMPOTENCY_RETENTION_HOURS). */
  retentionHours: number;
  /** Keys deleted per statement (each its own short transaction); default 1000. */
  batchSize?: number;
  /** Called after each batch with how many were deleted. */
  onPruned?(count: number): void;
}

/**
 * Creates the pruner of idempotency keys: keys created more than `retentionHours` ago are deleted
 * (see domain/idempotency.ts: the same key after that is a new request), in batches of
 * `batchSize`, each a statement of its own, so no long transaction holds locks while a backlog
 * is worked off.
 *
 * Safe with several replicas and beside calls: a batch skips the rows another transaction holds
 * (FOR UPDATE SKIP LOCKED), so two pruners delete different keys. A call that found a kept answer
 * just before its key was deleted still answers it; one that comes after is a new request.
 */
export function createIdempotencyPruner(options: IdempotencyPrunerOptions): IdempotencyPruner {
  const { store, logger, intervalMs, retentionHours } = options;
  const batchSize = options.batchSize ?? 1_000;

  async function pruneOnce(now: Date): Promise<number> {
    const before = retentionCutoff(now, retentionHours);
    let total = 0;
    for (;;) {
      const deleted = await store.read().idempotency.deleteCreatedBefore(before, batchSize);
      if (deleted > 0) options.onPruned?.(deleted);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  const task = createPeriodicTask({
    intervalMs,
    logger,
    run: (now: Date = new Date()) => pruneOnce(now),
    done: "idempotency keys past their retention pruned",
    failed: "idempotency key pruning failed",
  });
  return { start: task.start, stop: task.stop, prune: task.run };
}
