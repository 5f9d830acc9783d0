import type { Logger } from "@shopmesh/kit/log";
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
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

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

  function sweep(now = new Date()): Promise<number> {
    const run = (running ?? Promise.resolve(0)).catch(() => 0).then(() => sweepOnce(now));
    running = run;
    return run.finally(() => {
      if (running === run) running = undefined;
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        const expired = await sweep();
        if (expired > 0) logger.info({ expired }, "expired reservations released");
      } catch (error) {
        logger.error({ err: error }, "reservation sweep failed; retrying at the next interval");
      }
      schedule();
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    sweep,
  };
}
