import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@shopmesh/kit/log";
import { classify, type StepFailure } from "../domain/failures.ts";
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
import { LeaseLostError, type OrderStore, type SagaLease, type StepWrite } from "../store/index.ts";
import { PeerCallError, stepFailure } from "./failure.ts";
import type { StepResult, StepRunner } from "./steps.ts";

/** Where a run left an order and its saga: both as stored. */
export interface RunOutcome {
  order: Order;
  saga: Saga;
}

/** Drives sagas step by step, persisting every decision before the next step runs. */
export interface SagaEngine {
  /**
   * Drives the saga of an order while this process holds its lease: until it is done, waits for
   * a payment confirmation, or backs off longer than the in-process limit (the recovery loop
   * takes it up again when due). Concurrent calls for one order share one run; an order whose
   * saga another process drives returns at once. Resolves with the order and saga as stored when
   * this run stopped driving it, or undefined when it did not drive it (or failed): read them then.
   * `order` is the order as just stored, when the caller has it (saves reading it again);
   * `saga` its saga as just stored under this engine's `lease` (saves claiming it).
   */
  run(orderId: string, options?: { order?: Order; saga?: Saga }): Promise<RunOutcome | undefined>;
  /** True while this process drives the order's saga. */
  isRunning(orderId: string): boolean;
  /** The lease this process drives sagas under: a saga stored with it is run without a claim. */
  readonly lease: SagaLease;
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
  /**
   * Called when a compensation step was refused for good (not an outage): the saga keeps trying
   * it, spaced out, but someone must look (the order service counts these for alerting).
   */
  onCompensationRefused?(saga: Saga, failure: StepFailure): void;
  random?: () => number;
}

/**
 * The saga engine. A run claims the saga's lease (free, expired or its own; PlaceOrder stores a
 * new saga leased already), then loops: run the current step (the step decides, see steps.ts),
 * let the domain pick what comes next (advance, wait, compensate, retry after a backoff), and
 * persist that decision — with the order change and events of the step in one statement when
 * there are any — before anything else happens; a forward step that changed nothing in the order
 * goes into the row with the next decision. A crash anywhere leaves the saga at its last
 * persisted step, and every step is idempotent, so whoever resumes it runs that step (and at most
 * one before it) again safely.
 */
export function createSagaEngine(options: SagaEngineOptions): SagaEngine {
  const { store, steps, owner, leaseMs, policy } = options;
  const log = options.logger.child({ component: "saga" });
  const random = options.random ?? Math.random;
  const runs = new Map<string, Promise<RunOutcome | undefined>>();
  const stopping = new AbortController();
  const lease: SagaLease = { owner, leaseMs };
  const statements = store.checkout;
  /** Stores a saga's decision that changed no order, renewing the lease (LeaseLostError once lost). */
  const saveSaga = (saga: Saga) => statements.saveStep({ saga, lease });

  async function drive(
    orderId: string,
    known: { order?: Order; saga?: Saga } | undefined,
  ): Promise<RunOutcome | undefined> {
    let saga =
      known?.saga?.orderId === orderId ? known.saga : await store.read().sagas.claim(orderId, owner, leaseMs);
    if (!saga) return undefined;
    // True while the stored saga is one step behind `saga` (see runStep): saved with the next.
    let behind = false;
    let order: Order | undefined;
    try {
      // Read once: the steps use the order's identity and amounts; every change of it is made
      // in the step's statement, and the result kept here.
      order = known?.order?.id === orderId ? known.order : await store.read().orders.byId(orderId);
      if (!order) throw new Error(`saga ${orderId} has no order`);
      while (!stopping.signal.aborted && saga.status !== "done") {
        const due = saga.nextAttemptTime.getTime() - Date.now();
        // A saga waiting for a payment confirmation is nobody's to hold: events and the recovery
        // loop bring it back when it is due.
        if (due > options.inProcessDelayMs || (due > 0 && saga.status === "waiting")) break;
        if (due > 0) {
          await sleep(due, undefined, { signal: stopping.signal });
          continue;
        }
        if (options.pauseAt === saga.step) {
          if (behind) await saveSaga(saga);
          behind = false;
          log.warn({ orderId, step: saga.step, kind: saga.kind }, "saga paused");
          await sleep(2 ** 31 - 1, undefined, { signal: stopping.signal });
          return undefined;
        }
        ({ saga, order, behind } = await runStep(saga, order, behind));
      }
      return behind || stopping.signal.aborted ? undefined : { order, saga };
    } catch (error) {
      if (stopping.signal.aborted) return undefined;
      if (error instanceof LeaseLostError)
        log.warn({ orderId }, "saga lease lost; another process drives it");
      else
        log.error({ err: error, orderId, step: saga.step }, "saga run failed; the recovery loop resumes it");
      return undefined;
    } finally {
      // A finished saga's lease was cleared with its last save; a saga one step ahead of its row
      // is stored first (should that fail, whoever resumes it runs that idempotent step again).
      if (saga.status !== "done") {
        if (behind) await saveSaga(saga).catch(() => undefined);
        await store
          .read()
          .sagas.release(orderId, owner)
          .catch(() => undefined);
      }
    }
  }

  /** Runs the saga's current step and persists what it decided; the next saga and order. */
  async function runStep(
    saga: Saga,
    order: Order,
    behind: boolean,
  ): Promise<{ saga: Saga; order: Order; behind: boolean }> {
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
          try {
            options.onCompensationRefused?.(saga, failure);
          } catch (error) {
            log.warn({ err: error }, "onCompensationRefused hook failed");
          }
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
    // A forward step that changed nothing here (reserve, capture, commit) is stored together
    // with the next step's outcome: every step is idempotent, so a crash in between only runs it
    // again on resume. One step at most, so the lease (at least twice a call's deadline) covers
    // both calls. Everything else is stored before the next step runs.
    const deferred =
      !failure &&
      !behind &&
      result?.kind === "advance" &&
      !apply &&
      !result.wait &&
      saga.kind === "checkout" &&
      saga.status === "running" &&
      next.status === "running";
    let change: OrderChange | undefined;
    if (deferred) return { saga: next, order, behind: true };
    if (apply) change = await applyChange(saga, order, next, apply, now);
    // Only the saga row changes: one statement.
    else await saveSaga(next);
    if (next.status === "done") {
      try {
        options.onDone?.(next, change);
      } catch (error) {
        log.warn({ err: error }, "onDone hook failed");
      }
    }
    return { saga: next, order: change?.order ?? order, behind: false };
  }

  /**
   * Stores a step's order change, its history and events with the next saga in one statement.
   * First on the order as this run knows it (the version check of the update catches any other
   * writer); when someone else changed it meanwhile (nothing was written), again on the locked
   * current row.
   */
  async function applyChange(
    saga: Saga,
    known: Order,
    next: Saga,
    apply: (order: Order, now: Date) => OrderChange,
    now: Date,
  ): Promise<OrderChange> {
    const meta = { ...SAGA_META, correlationId: saga.orderId };
    const write = (current: Order) =>
      ({
        saga: next,
        lease,
        order: { before: current, change: apply(current, now), meta },
      }) satisfies StepWrite;
    const first = write(known);
    if ((await statements.saveStep(first)) === "written") return first.order.change;
    return (await statements.saveStepLocked(saga.orderId, write)).order.change;
  }

  return {
    run(orderId, runOptions) {
      const running = runs.get(orderId);
      if (running) return running;
      // A saga handed over leased is not driven once stopping, but its run gives the lease back.
      if (stopping.signal.aborted && !runOptions?.saga) return Promise.resolve(undefined);
      const run = drive(orderId, runOptions).finally(() => runs.delete(orderId));
      runs.set(orderId, run);
      return run;
    },
    isRunning: (orderId) => runs.has(orderId),
    lease,
    async stop() {
      stopping.abort();
      await Promise.allSettled([...runs.values()]);
    },
  };
}
