import { invalidState } from "@shopmesh/kit/errors";
import {
  classify,
  permanentFailure,
  type SagaFailure,
  type StepFailure,
  unavailableFailure,
} from "./failures.ts";

/**
 * The persisted sagas of an order (ARCHITECTURE.md section 7): one row per order, which says
 * which step runs next. Two kinds share the row, one after the other:
 *
 * - checkout: reserve → quote → authorize → (await_payment) → ship → capture → commit → confirm.
 *   Any failure turns it around: cancel_shipment → void_payment → release_stock → fail, each
 *   compensating a forward step that was reached.
 * - cancel (of a CONFIRMED order): stop_shipment → restock → refund → finish. Until the shipment
 *   is stopped it may be rejected (the parcel left already); after that it only goes forward.
 *
 * Every step is idempotent, so running a step again after a crash is always safe. These
 * functions decide what comes next; the engine (src/saga) runs the steps and persists each
 * decision before acting on it — except that a forward step which changed nothing in the order
 * (reserve, capture, commit) is persisted together with the next step's decision, since running
 * it again on resume is harmless.
 */

export type SagaKind = "checkout" | "cancel";

/**
 * running: a step is due; waiting: an asynchronous payment confirmation is awaited;
 * compensating: undoing the steps reached; done: nothing left to do.
 */
export type SagaStatus = "running" | "waiting" | "compensating" | "done";

export const CHECKOUT_STEPS = [
  "reserve",
  "quote",
  "authorize",
  "await_payment",
  "ship",
  "capture",
  "commit",
  "confirm",
] as const;
export type CheckoutStep = (typeof CHECKOUT_STEPS)[number];

export const COMPENSATION_STEPS = ["cancel_shipment", "void_payment", "release_stock", "fail"] as const;
export type CompensationStep = (typeof COMPENSATION_STEPS)[number];

export const CANCEL_STEPS = ["stop_shipment", "restock", "refund", "finish"] as const;
export type CancelStep = (typeof CANCEL_STEPS)[number];

export type SagaStep = CheckoutStep | CompensationStep | CancelStep;

/** Every step name, for configuration that names one (ORDER_SAGA_PAUSE_AT). */
export const SAGA_STEPS: readonly SagaStep[] = [...CHECKOUT_STEPS, ...COMPENSATION_STEPS, ...CANCEL_STEPS];

export interface Saga {
  orderId: string;
  kind: SagaKind;
  status: SagaStatus;
  /** The step that runs next. */
  step: SagaStep;
  /** The forward step the checkout turned around at; its compensation plan depends on it. */
  failedStep: CheckoutStep | undefined;
  /** Failed attempts of the current step. */
  attempts: number;
  /** When the current step was first tried: its time budget runs from here. */
  stepStartTime: Date;
  /** When the current step may run (again). */
  nextAttemptTime: Date;
  /** The payment provider's token, kept only until the saga is done. */
  paymentToken: string;
  /** How long an asynchronous payment confirmation is awaited. */
  paymentWaitUntil: Date | undefined;
  /** A cancel saga's actor, reason and the amount it refunds. */
  cancelActor: string;
  cancelReason: string;
  cancelRefund: bigint;
  /** Why a checkout turned around, or why a cancel was rejected. */
  failureCode: string;
  failureReason: string;
  createTime: Date;
  updateTime: Date;
}

/** Retries of a step: bounded for forward steps, unbounded (but spaced out) for compensations. */
export interface RetryPolicy {
  /** Attempts of a forward step before the saga gives up on it. */
  maxAttempts: number;
  /** Time from a forward step's first attempt after which it is given up. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest pause between attempts of a compensation (which never gives up). */
  compensationMaxDelayMs: number;
}

/** The saga of a new PENDING order: reserve first. */
export function startCheckout(orderId: string, paymentToken: string, now: Date): Saga {
  return {
    orderId,
    kind: "checkout",
    status: "running",
    step: "reserve",
    failedStep: undefined,
    attempts: 0,
    stepStartTime: now,
    nextAttemptTime: now,
    paymentToken,
    paymentWaitUntil: undefined,
    cancelActor: "",
    cancelReason: "",
    cancelRefund: 0n,
    failureCode: "",
    failureReason: "",
    createTime: now,
    updateTime: now,
  };
}

/** The step after `step` in its plan; undefined after the last. */
function following<T extends string>(steps: readonly T[], step: T): T | undefined {
  return steps[steps.indexOf(step) + 1];
}

/** Moves to `step`, due now, with a fresh attempt count. */
function moveTo(saga: Saga, step: SagaStep, now: Date, patch: Partial<Saga> = {}): Saga {
  return {
    ...saga,
    step,
    attempts: 0,
    stepStartTime: now,
    nextAttemptTime: now,
    updateTime: now,
    ...patch,
  };
}

/** The saga has nothing left to do: the payment token is forgotten. */
function finish(saga: Saga, now: Date, patch: Partial<Saga> = {}): Saga {
  return {
    ...saga,
    status: "done",
    attempts: 0,
    paymentToken: "",
    paymentWaitUntil: undefined,
    updateTime: now,
    ...patch,
  };
}

/**
 * The current step succeeded: on to the next one of its plan, or done after the last. An
 * authorisation that needs confirmation passes `wait`: the saga waits (await_payment) until the
 * confirmation, polling at `wait.pollAt`, giving up at `wait.until`.
 */
export function advance(saga: Saga, now: Date, wait?: { until: Date; pollAt: Date }): Saga {
  if (saga.status === "done") throw invalidState(`the saga of order ${saga.orderId} is done`);
  if (saga.status === "compensating") {
    const plan = compensationPlan(saga.failedStep);
    const next = plan[plan.indexOf(saga.step as CompensationStep) + 1];
    return next === undefined ? finish(saga, now) : moveTo(saga, next, now);
  }
  if (saga.kind === "cancel") {
    const next = following(CANCEL_STEPS, saga.step as CancelStep);
    return next === undefined ? finish(saga, now) : moveTo(saga, next, now);
  }
  if (saga.step === "authorize") {
    if (wait) {
      return moveTo(saga, "await_payment", now, {
        status: "waiting",
        paymentWaitUntil: wait.until,
        nextAttemptTime: wait.pollAt,
      });
    }
    return moveTo(saga, "ship", now);
  }
  const next = following(CHECKOUT_STEPS, saga.step as CheckoutStep);
  if (next === undefined) return finish(saga, now);
  return moveTo(saga, next, now, { status: "running", paymentWaitUntil: undefined });
}

/** A waiting saga checks again at `pollAt`. */
export function keepWaiting(saga: Saga, pollAt: Date, now: Date): Saga {
  return { ...saga, status: "waiting", nextAttemptTime: pollAt, updateTime: now };
}

/**
 * The compensations of a checkout that turned around at `failedStep`, in the order they run:
 * every forward step reached may have had an effect (a call that timed out may still have
 * succeeded), so each one reached is undone. Each compensation is harmless when its step had no
 * effect (releasing a reservation that does not exist is NOT_FOUND, which counts as done).
 */
export function compensationPlan(failedStep: CheckoutStep | undefined): CompensationStep[] {
  const reached = failedStep === undefined ? -1 : CHECKOUT_STEPS.indexOf(failedStep);
  const plan: CompensationStep[] = [];
  if (reached >= CHECKOUT_STEPS.indexOf("ship")) plan.push("cancel_shipment");
  if (reached >= CHECKOUT_STEPS.indexOf("authorize")) plan.push("void_payment");
  if (reached >= CHECKOUT_STEPS.indexOf("reserve")) plan.push("release_stock");
  plan.push("fail");
  return plan;
}

/** Turns a checkout around at its current step: compensate what was reached, then FAILED. */
export function compensate(saga: Saga, failure: SagaFailure, now: Date): Saga {
  if (saga.kind !== "checkout" || saga.status === "compensating" || saga.status === "done") {
    throw invalidState(`the saga of order ${saga.orderId} cannot be compensated now`);
  }
  const failedStep = saga.step as CheckoutStep;
  const [first] = compensationPlan(failedStep);
  return moveTo(saga, first!, now, {
    status: "compensating",
    failedStep,
    failureCode: failure.code,
    failureReason: failure.reason,
  });
}

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): exponential from `base`, capped
 * at `max`, with "equal jitter" (half fixed, half random) so retries of many sagas spread out.
 * `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, base: number, max: number, random: number): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** What to do after a failed attempt of a step. */
export type FailureDecision =
  | { action: "retry"; saga: Saga; delayMs: number }
  | { action: "compensate"; saga: Saga; failure: SagaFailure }
  | { action: "reject"; saga: Saga; failure: SagaFailure };

/**
 * Decides after a failed attempt. Forward checkout steps: a permanent failure compensates at
 * once; a transient one is retried until the attempts or the time budget run out, then
 * compensates with DEPENDENCY_UNAVAILABLE. A cancel's first step (stop_shipment) is rejected the
 * same way, leaving the order as it was. Compensations and the rest of a cancel never give up:
 * they are retried, spaced out, until they succeed.
 */
export function onStepFailure(
  saga: Saga,
  failure: StepFailure,
  policy: RetryPolicy,
  now: Date,
  random: number,
): FailureDecision {
  const attempts = saga.attempts + 1;
  const bounded =
    (saga.kind === "checkout" && saga.status !== "compensating") ||
    (saga.kind === "cancel" && saga.step === "stop_shipment");
  if (bounded) {
    const exhausted =
      attempts >= policy.maxAttempts || now.getTime() - saga.stepStartTime.getTime() >= policy.budgetMs;
    const verdict =
      classify(failure) === "permanent"
        ? permanentFailure(saga.step, failure)
        : exhausted
          ? unavailableFailure(failure, attempts)
          : undefined;
    if (verdict) {
      if (saga.kind === "cancel") {
        const rejected = finish(saga, now, {
          failureCode: failure.code === "FailedPrecondition" ? "ALREADY_SHIPPED" : verdict.code,
          failureReason:
            failure.code === "FailedPrecondition"
              ? `the shipment cannot be stopped: ${failure.message}`
              : verdict.reason,
        });
        return {
          action: "reject",
          saga: rejected,
          failure: { code: rejected.failureCode, reason: rejected.failureReason },
        };
      }
      return { action: "compensate", saga: compensate(saga, verdict, now), failure: verdict };
    }
  }
  const max = bounded ? policy.maxDelayMs : policy.compensationMaxDelayMs;
  const delayMs = backoffDelay(attempts, policy.baseDelayMs, max, random);
  return {
    action: "retry",
    delayMs,
    saga: { ...saga, attempts, nextAttemptTime: new Date(now.getTime() + delayMs), updateTime: now },
  };
}

/**
 * A cancellation of the order whose checkout saga is done: the row becomes a cancel saga.
 * `refund` is what goes back to the customer (all that is left to refund).
 */
export function startCancel(
  saga: Saga,
  cancel: { actor: string; reason: string; refund: bigint },
  now: Date,
): Saga {
  if (saga.status !== "done") {
    throw invalidState(`order ${saga.orderId} has a ${saga.kind} still under way`);
  }
  return moveTo(saga, "stop_shipment", now, {
    kind: "cancel",
    status: "running",
    failedStep: undefined,
    cancelActor: cancel.actor,
    cancelReason: cancel.reason,
    cancelRefund: cancel.refund,
    failureCode: "",
    failureReason: "",
  });
}
