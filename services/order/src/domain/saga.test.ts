import { describe, expect, it } from "vitest";
import { classify, type StepFailure } from "./failures.ts";
import {
  advance,
  backoffDelay,
  compensationPlan,
  onStepFailure,
  type RetryPolicy,
  type Saga,
  startCancel,
  startCheckout,
} from "./saga.ts";
import { T0 } from "./test-fixtures.ts";

const policy: RetryPolicy = {
  maxAttempts: 3,
  budgetMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  compensationMaxDelayMs: 30_000,
};
const at = (ms: number) => new Date(T0.getTime() + ms);
const unavailable: StepFailure = { service: "shipping", code: "Unavailable", message: "down" };

function walk(saga: Saga, steps: number): Saga {
  let current = saga;
  for (let i = 0; i < steps; i++) current = advance(current, T0);
  return current;
}

describe("the checkout plan", () => {
  it("runs reserve, quote, authorize, ship, capture, commit, confirm, then is done", () => {
    const seen: string[] = [];
    let saga = startCheckout("o1", "tok", T0);
    while (saga.status !== "done") {
      seen.push(saga.step);
      saga = advance(saga, T0);
    }
    expect(seen).toEqual(["reserve", "quote", "authorize", "ship", "capture", "commit", "confirm"]);
    expect(saga.paymentToken).toBe("");
  });

  it("waits for an asynchronous payment confirmation, then ships", () => {
    const authorizing = walk(startCheckout("o1", "tok", T0), 2);
    expect(authorizing.step).toBe("authorize");
    const waiting = advance(authorizing, T0, { until: at(60_000), pollAt: at(5_000) });
    expect(waiting).toMatchObject({ status: "waiting", step: "await_payment", nextAttemptTime: at(5_000) });
    expect(advance(waiting, at(1_000))).toMatchObject({ status: "running", step: "ship" });
  });
});

describe("compensation", () => {
  it("undoes every step reached, in reverse, and ends with fail", () => {
    expect(compensationPlan("reserve")).toEqual(["release_stock", "fail"]);
    expect(compensationPlan("quote")).toEqual(["release_stock", "fail"]);
    expect(compensationPlan("authorize")).toEqual(["void_payment", "release_stock", "fail"]);
    expect(compensationPlan("ship")).toEqual(["cancel_shipment", "void_payment", "release_stock", "fail"]);
    expect(compensationPlan("commit")).toEqual(["cancel_shipment", "void_payment", "release_stock", "fail"]);
  });

  it("compensates at once on a permanent failure, with the step's failure code", () => {
    const reserving = startCheckout("o1", "tok", T0);
    const decision = onStepFailure(
      reserving,
      {
        service: "inventory",
        code: "FailedPrecondition",
        reason: "OUT_OF_STOCK",
        metadata: { skus: "A,B" },
        message: "short",
      },
      policy,
      T0,
      0.5,
    );
    expect(decision.action).toBe("compensate");
    expect(decision.saga).toMatchObject({
      status: "compensating",
      step: "release_stock",
      failedStep: "reserve",
      failureCode: "OUT_OF_STOCK",
      failureReason: "not enough stock of A, B",
    });
    const failing = advance(decision.saga, T0);
    expect(failing.step).toBe("fail");
    expect(advance(failing, T0).status).toBe("done");
  });

  it("maps a decline to PAYMENT_DECLINED and a shipping refusal to SHIPPING_UNAVAILABLE", () => {
    const authorizing = walk(startCheckout("o1", "tok", T0), 2);
    const declined = onStepFailure(
      authorizing,
      {
        service: "payment",
        code: "FailedPrecondition",
        reason: "PAYMENT_DECLINED",
        metadata: { decline_code: "card_declined" },
        message: "no",
      },
      policy,
      T0,
      0,
    );
    expect(declined.saga).toMatchObject({ failureCode: "PAYMENT_DECLINED", step: "void_payment" });
    const shipping = walk(startCheckout("o1", "tok", T0), 3);
    expect(shipping.step).toBe("ship");
    const refused = onStepFailure(
      shipping,
      { service: "shipping", code: "FailedPrecondition", message: "no" },
      policy,
      T0,
      0,
    );
    expect(refused.saga).toMatchObject({ failureCode: "SHIPPING_UNAVAILABLE", step: "cancel_shipment" });
  });

  it("retries a transient failure with growing delays, then gives up with DEPENDENCY_UNAVAILABLE", () => {
    let saga = walk(startCheckout("o1", "tok", T0), 1);
    const first = onStepFailure(saga, unavailable, policy, at(10), 0);
    expect(first).toMatchObject({ action: "retry", delayMs: 50 });
    saga = first.saga;
    const second = onStepFailure(saga, unavailable, policy, at(100), 0);
    expect(second).toMatchObject({ action: "retry", delayMs: 100 });
    const third = onStepFailure(second.saga, unavailable, policy, at(300), 0);
    expect(third.action).toBe("compensate");
    expect(third.saga).toMatchObject({ failureCode: "DEPENDENCY_UNAVAILABLE", step: "release_stock" });
    expect(third.saga.failureReason).toContain("shipping did not answer after 3 attempts");
  });

  it("gives up when the step's time budget is spent, whatever the attempts", () => {
    const saga = startCheckout("o1", "tok", T0);
    expect(onStepFailure(saga, unavailable, policy, at(10_000), 0).action).toBe("compensate");
  });

  it("never gives up on a compensation, but spaces the attempts out", () => {
    let saga = onStepFailure(
      startCheckout("o1", "tok", T0),
      { service: "x", code: "NotFound", message: "" },
      policy,
      T0,
      0,
    ).saga;
    for (let i = 0; i < 20; i++) {
      const decision = onStepFailure(
        saga,
        { service: "inventory", code: "NotFound", message: "?" },
        policy,
        at(60_000 * i),
        0.99,
      );
      expect(decision.action).toBe("retry");
      if (decision.action === "retry") expect(decision.delayMs).toBeLessThanOrEqual(30_000);
      saga = decision.saga;
    }
    expect(saga.status).toBe("compensating");
  });
});

describe("cancel", () => {
  it("starts only after the checkout is done, then stops the shipment, restocks, refunds and finishes", () => {
    const running = startCheckout("o1", "tok", T0);
    expect(() => startCancel(running, { actor: "user:u", reason: "r", refund: 1n }, T0)).toThrow();
    const done = walk(running, 7);
    let saga = startCancel(done, { actor: "user:u", reason: "r", refund: 100n }, T0);
    const seen: string[] = [];
    while (saga.status !== "done") {
      seen.push(saga.step);
      saga = advance(saga, T0);
    }
    expect(seen).toEqual(["stop_shipment", "restock", "refund", "finish"]);
  });

  it("is rejected when the parcel left already, and retried forever after the shipment stopped", () => {
    const done = walk(startCheckout("o1", "tok", T0), 7);
    const cancelling = startCancel(done, { actor: "user:u", reason: "r", refund: 100n }, T0);
    const rejected = onStepFailure(
      cancelling,
      { service: "shipping", code: "FailedPrecondition", message: "in transit" },
      policy,
      T0,
      0,
    );
    expect(rejected.action).toBe("reject");
    expect(rejected.saga).toMatchObject({ status: "done", failureCode: "ALREADY_SHIPPED" });
    const refunding = advance(advance(cancelling, T0), T0);
    expect(refunding.step).toBe("refund");
    expect(onStepFailure(refunding, unavailable, { ...policy, maxAttempts: 1 }, at(99_999), 0).action).toBe(
      "retry",
    );
  });
});

describe("classify and backoff", () => {
  it("treats unavailability as transient and refusals as permanent", () => {
    for (const code of ["Unavailable", "DeadlineExceeded", "ResourceExhausted"])
      expect(classify({ code })).toBe("transient");
    for (const code of ["FailedPrecondition", "InvalidArgument", "NotFound"])
      expect(classify({ code })).toBe("permanent");
  });

  it("grows exponentially up to the cap, with jitter within [half, full]", () => {
    expect(backoffDelay(1, 100, 1000, 0)).toBe(50);
    expect(backoffDelay(1, 100, 1000, 0.999)).toBe(100);
    expect(backoffDelay(4, 100, 1000, 0.999)).toBe(800);
    expect(backoffDelay(10, 100, 1000, 0)).toBe(500);
  });
});
