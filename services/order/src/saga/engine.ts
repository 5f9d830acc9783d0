import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@shopmesh/kit/log";
import { classify } from "../domain/failures.ts";
import type { Order, OrderChange } from "../domain/order.ts";
import {
  advance,
  compensate,
  keepWaiting,
  onStepFailure,
  type RetryPolicy,
  type Saga,
  type SagaStep,
} from "../domain/saga.ts";
import { SAGA_META } from "../events.ts";
import { LeaseLostError, type OrderStore } from "../store/index.ts";
import { PeerCallError, stepFailure } from "./failure.ts";
import type { StepResult, StepRunner } from "./steps.ts";

/** Drives sagas step by step, persisting every decision before the next step runs. */
export interface SagaEngine {
  /**
   * Drives the saga of an order while this process holds its lease: until it is done, waits for
   * a payment confirmation, or backs off longer than the in-process limit (the recovery loop
   * takes it up again when due). Concurrent calls for one order share one run; an order whose
   * saga another process drives returns at once.
   */
  run(orderId: string): Promise<void>;
  /** True while this process drives the order's saga. */
  isRunning(orderId: string): boolean;
  /** Lets steps in progress finish, stops every run, and gives their leases back. */
  stop(): Promise<void>;
}

export interface SagaEngineOptions {
  store: OrderStore;
  steps: StepRunner;
  logger: Logger;
  /** This process's lease owner name (unique per process). */
  owner: string;
  leaseMs: number;
  policy: RetryPolicy;
  /** Retry delays up to this long are slept in process (holding the lease); longer ones go to the recovery loop. */
  inProcessDelayMs: number;
  /** Test hook (ORDER_SAGA_PAUSE_AT): stop before this step and wait until the process ends. */
  pauseAt?: SagaStep;
  /** Called after a saga became done, with the order change of its last step. */
  onDone?(saga: Saga, change: OrderChange | undefined): void;
  random?: () => number;
}

/**
 * The saga engine. A run claims the saga's lease (free, expired or its own), then loops: run the
 * current step (the step decides, see steps.ts), let the domain pick what comes next (advance,
 * wait, compensate, retry after a backoff), and persist that decision — with the order change and
 * events of the step in one transaction when there are any — before anything else happens. A
 * crash anywhere leaves the saga at its last persisted step, and every step is idempotent, so
 * whoever resumes it runs that step again safely.
 */
export function createSagaEngine(options: SagaEngineOptions): SagaEngine {
  const { store, steps, owner, leaseMs, policy } = options;
  const log = options.logger.child({ component: "saga" });
  const random = options.random ?? Math.random;
  const runs = new Map<string, Promise<void>>();
  const stopping = new AbortController();

  async function drive(orderId: string): Promise<void> {
    let saga = await store.read().sagas.claim(orderId, owner, leaseMs);
    if (!saga) return;
    try {
      // Read once: the steps use the order's identity and amounts; every change of it is made
      // on the locked row in the step's transaction, and the result kept here.
      let order = await store.read().orders.byId(orderId);
      if (!order) throw new Error(`saga ${orderId} has no order`);
      while (!stopping.signal.aborted && saga.status !== "done") {
        const due = saga.nextAttemptTime.getTime() - Date.now();
        // A saga waiting for a payment confirmation is nobody's to hold: events and the recovery
        // loop bring it back when it is due.
        if (due > options.inProcessDelayMs || (due > 0 && saga.status === "waiting")) return;
        if (due > 0) {
          await sleep(due, undefined, { signal: stopping.signal });
          continue;
        }
        if (options.pauseAt === saga.step) {
          log.warn({ orderId, step: saga.step, kind: saga.kind }, "saga paused");
          await sleep(2 ** 31 - 1, undefined, { signal: stopping.signal });
          return;
        }
        ({ saga, order } = await runStep(saga, order));
      }
    } catch (error) {
      if (stopping.signal.aborted) return;
      if (error instanceof LeaseLostError)
        log.warn({ orderId }, "saga lease lost; another process drives it");
      else
        log.error({ err: error, orderId, step: saga.step }, "saga run failed; the recovery loop resumes it");
    } finally {
      // A finished saga's lease was cleared with its last save.
      if (saga.status !== "done") {
        await store
          .read()
          .sagas.release(orderId, owner)
          .catch(() => undefined);
      }
    }
  }

  /** Runs the saga's current step and persists what it decided; the next saga and order. */
  async function runStep(saga: Saga, order: Order): Promise<{ saga: Saga; order: Order }> {
    const started = Date.now();
    let result: StepResult | undefined;
    let failure: ReturnType<typeof stepFailure> | undefined;
    try {
      result = await steps(saga, order, new Date());
    } catch (error) {
      failure = error instanceof PeerCallError ? error.failure : stepFailure("order", error);
    }
    const ms = Date.now() - started;
    const now = new Date();
    const context = { orderId: saga.orderId, step: saga.step, ms };
    let next: Saga;
    if (failure) {
      const decision = onStepFailure(saga, failure, policy, now, random());
      next = decision.saga;
      if (decision.action === "retry") {
        const details = { ...context, attempts: next.attempts, failure, retryInMs: decision.delayMs };
        // A compensation refused for good (not an outage) will not pass by retrying: someone must look.
        if (saga.status === "compensating" && classify(failure) === "permanent") {
          log.error(details, "saga compensation refused; retrying until it succeeds");
        } else log.warn(details, "saga step failed");
      } else {
        log.info({ ...context, failure, outcome: decision.failure }, `saga step failed: ${decision.action}`);
      }
    } else if (result!.kind === "wait") {
      next = keepWaiting(saga, result!.pollAt, now);
    } else if (result!.kind === "compensate") {
      next = compensate(saga, result!.failure, now);
      log.info({ ...context, outcome: result!.failure }, "saga compensates");
    } else {
      next = advance(saga, now, result!.wait);
      log.debug({ ...context, next: next.step }, "saga step done");
    }

    const apply = !failure && result?.kind === "advance" ? result.apply : undefined;
    let change: OrderChange | undefined;
    if (apply) {
      change = await store.transaction(async (tx) => {
        const current = await tx.orders.byId(saga.orderId, { lock: true });
        if (!current) throw new Error(`order ${saga.orderId} vanished`);
        const applied = apply(current, now);
        if (applied.order !== current) await tx.orders.save(applied.order);
        await tx.orders.addHistory(applied.history);
        tx.record(applied.events, { ...SAGA_META, correlationId: saga.orderId });
        await tx.sagas.save(next, owner, leaseMs);
        return applied;
      });
    } else {
      // Only the saga row changes: one statement, no transaction needed.
      await store.read().sagas.save(next, owner, leaseMs);
    }
    if (next.status === "done") {
      try {
        options.onDone?.(next, change);
      } catch (error) {
        log.warn({ err: error }, "onDone hook failed");
      }
    }
    return { saga: next, order: change?.order ?? order };
  }

  return {
    run(orderId) {
      const running = runs.get(orderId);
      if (running) return running;
      if (stopping.signal.aborted) return Promise.resolve();
      const run = drive(orderId).finally(() => runs.delete(orderId));
      runs.set(orderId, run);
      return run;
    },
    isRunning: (orderId) => runs.has(orderId),
    async stop() {
      stopping.abort();
      await Promise.allSettled([...runs.values()]);
    },
  };
}
