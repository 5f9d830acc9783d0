import type { Logger } from "@shopmesh/kit/log";
import type { Refunds } from "../refunds.ts";
import type { OrderStore } from "../store/index.ts";
import type { SagaEngine } from "./engine.ts";

/** Finds unfinished work left behind (a crash, an outage, a long backoff) and resumes it. */
export interface RecoveryLoop {
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
  /** One pass: claims due sagas and starts them; resolves with how many were started. */
  tick(): Promise<number>;
}

export interface RecoveryOptions {
  store: OrderStore;
  engine: SagaEngine;
  refunds: Refunds;
  owner: string;
  leaseMs: number;
  intervalMs: number;
  /** Sagas resumed by this loop at once; default 20. */
  concurrency?: number;
  /** A pending refund untouched this long is finished by the loop; default 30 s. */
  staleRefundMs?: number;
  logger: Logger;
}

/**
 * Every `intervalMs`, claims the leases of unfinished sagas that are due (next attempt time
 * passed) and whose lease is free or expired — SELECT ... FOR UPDATE SKIP LOCKED, so replicas
 * share the work — and drives each with the engine. A process that died mid-saga leaves its
 * lease to expire, after which any replica resumes the saga at the step it had persisted.
 * Refunds left pending are finished the same way.
 */
export function createRecoveryLoop(options: RecoveryOptions): RecoveryLoop {
  const { store, engine, owner, leaseMs, logger } = options;
  const concurrency = options.concurrency ?? 20;
  const active = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  let lastRefundPass = 0;

  async function pass(): Promise<number> {
    const room = concurrency - active.size;
    let started = 0;
    if (room > 0) {
      const due = await store.read().sagas.claimDue(owner, leaseMs, room);
      for (const orderId of due) {
        if (engine.isRunning(orderId) || active.has(orderId)) continue;
        active.add(orderId);
        started++;
        void engine.run(orderId).finally(() => active.delete(orderId));
      }
      if (due.length > 0) logger.info({ resumed: started }, "recovery resumed sagas");
    }
    const staleMs = options.staleRefundMs ?? 30_000;
    if (Date.now() - lastRefundPass >= staleMs) {
      lastRefundPass = Date.now();
      await options.refunds.finishStale(staleMs);
    }
    return started;
  }

  function tick(): Promise<number> {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await tick();
      } catch (error) {
        logger.error({ err: error }, "recovery pass failed; retrying at the next interval");
      }
      schedule(options.intervalMs);
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    tick,
  };
}
