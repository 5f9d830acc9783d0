import type { Logger } from "../log/index.ts";

/** A background job that runs every `intervalMs` and on demand, one run at a time. */
export interface PeriodicTask<A extends unknown[]> {
  /** Runs every `intervalMs` until stopped (nothing when the interval is 0 or less). */
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
  /** Runs now, after a run in progress; resolves with how much it did. */
  run(...args: A): Promise<number>;
}

export interface PeriodicTaskOptions<A extends unknown[]> {
  intervalMs: number;
  logger: Logger;
  /** One run; resolves with how much it did (logged when more than 0). */
  run(...args: A): Promise<number>;
  /** Logged with the count after a run that did something: "expired reservations released". */
  done: string;
  /** Logged at error level when a run fails; the next interval tries again. */
  failed: string;
  /** Level of the `done` line; default "info". */
  level?: "info" | "debug";
}

/**
 * The loop of the services' sweepers and simulated workers: a timer that is unref'd (it never
 * keeps a process alive), runs that never overlap (a run asked for while one is in progress waits
 * for it), a failed run logged and retried at the next interval, and a stop that waits for the run
 * in progress. Replicas share the work through the claims their runs make (SKIP LOCKED), not here.
 *
 *   const sweeper = createPeriodicTask({ intervalMs, logger, run: sweepOnce,
 *     done: "expired reservations released", failed: "reservation sweep failed" });
 */
export function createPeriodicTask<A extends unknown[]>(options: PeriodicTaskOptions<A>): PeriodicTask<A> {
  const { intervalMs, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  function run(...args: A): Promise<number> {
    const next = (running ?? Promise.resolve(0)).catch(() => 0).then(() => options.run(...args));
    running = next;
    return next.finally(() => {
      if (running === next) running = undefined;
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        const count = await (run as () => Promise<number>)();
        if (count > 0) logger[options.level ?? "info"]({ count }, options.done);
      } catch (error) {
        logger.error({ err: error }, `${options.failed}; retrying at the next interval`);
      }
      schedule();
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped || intervalMs <= 0) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    run,
  };
}
