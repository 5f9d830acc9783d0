import type { Logger } from "@shopmesh/kit/log";
import { createPeriodicTask } from "@shopmesh/kit/periodic";
import { SWEEPER_META } from "./events.ts";
import { releaseReservations } from "./stock-steps.ts";
import type { InventoryStore } from "./store/index.ts";

/** Releases reservations whose time is up, in the background. */
export interface ReservationSweeper {
  /** Sweeps every `intervalMs` until stopped. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
  /** Expires every reservation due at `now` (default: the clock); resolves with how many. */
  sweep(now?: Date): Promise<number>;
}

export interface ReservationSweeperOptions {
  store: InventoryStore;
  logger: Logger;
  intervalMs: number;
  /** Reservations expired per transaction; default 100. */
  batchSize?: number;
  /** Called after each batch with how many expired. */
  onExpired?(count: number): void;
}

/**
 * Creates the sweeper that turns ACTIVE reservations past their expire_time into EXPIRED ones,
 * giving their units back and recording ReservationReleased with reason "expired".
 *
 * Safe with several replicas: each batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so
 * replicas share the work and a reservation being committed or released by a call at the same
 * moment is either skipped now (and seen again next time, no longer ACTIVE) or waited for.
 */
export function createReservationSweeper(options: ReservationSweeperOptions): ReservationSweeper {
  const { store, logger, intervalMs } = options;
  const batchSize = options.batchSize ?? 100;

  async function sweepOnce(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await store.transaction(async (tx) => {
        const due = await tx.reservations.claimExpired(now, batchSize);
        if (due.length === 0) return 0;
        await releaseReservations(tx, due, { reason: "", expire: true, now, meta: SWEEPER_META });
        return due.length;
      });
      if (expired > 0) options.onExpired?.(expired);
      total += expired;
      if (expired < batchSize) return total;
    }
  }

  const task = createPeriodicTask({
    intervalMs: intervalMs,
    logger,
    run: (now: Date = new Date()) => sweepOnce(now),
    done: "expired reservations released",
    failed: "reservation sweep failed",
  });
  return { start: task.start, stop: task.stop, sweep: task.run };
}
