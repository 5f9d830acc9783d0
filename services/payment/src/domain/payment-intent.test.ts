import {
  PaymentAuthorizedSchema,
  PaymentCapturedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { describe, expect, it } from "vitest";
import {
  type AuthorizationOutcome,
  captureIntent,
  confirmIntent,
  declineError,
  failIntent,
  intentMessage,
  openIntent,
  type PaymentIntent,
  refundIntent,
  voidIntent,
} from "./payment-intent.ts";

const NOW = new Date("2030-01-01T00:00:00Z");
let ids = 0;
const context = { now: NOW, newId: () => `id-${++ids}` };
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const card = { reference: "pi_1", brand: "visa", last4: "4242" };

function open(outcome: AuthorizationOutcome = { status: "authorized", ...card }) {
  return openIntent(
    { id: "intent-1", orderId: "order-1", customerId: "", provider: "sandbox", amount: eur(10_000n) },
    outcome,
    context,
  );
}
const authorized = (): PaymentIntent => open().intent;
const captured = (amount?: bigint) =>
  captureIntent(authorized(), amount === undefined ? undefined : eur(amount), context).intent;

describe("openIntent", () => {
  it("authorises with a zero AUTHORIZATION ledger entry and PaymentAuthorized", () => {
    const change = open();
    expect(change.intent).toMatchObject({
      status: "authorized",
      amount: 10_000n,
      capturedAmount: 0n,
      refundedAmount: 0n,
      brand: "visa",
      last4: "4242",
      providerReference: "pi_1",
    });
    expect(change.ledger).toEqual([
      expect.objectContaining({ kind: "authorization", amount: 0n, currency: "EUR" }),
    ]);
    expect(change.events.map((e) => e.type)).toEqual([PaymentAuthorizedSchema]);
    expect(change.events[0]!.subject).toBe("intent-1");
  });

  it("waits for confirmation without events or ledger entries", () => {
    const change = open({ status: "requires_confirmation", ...card });
    expect(change).toMatchObject({ intent: { status: "requires_confirmation" }, events: [], ledger: [] });
  });

  it("records a decline as FAILED with the decline code and PaymentFailed, moving nothing", () => {
    const change = open({
      status: "declined",
      ...card,
      declineCode: "insufficient_funds",
      message: "no money",
    });
    expect(change.intent).toMatchObject({
      status: "failed",
      failureCode: "insufficient_funds",
      failureMessage: "no money",
    });
    expect(change.ledger).toEqual([]);
    expect(change.events[0]!.data).toMatchObject({ paymentIntent: { status: PaymentStatus.FAILED } });
    expect(declineError(change.intent)).toMatchObject({
      kind: "failed_precondition",
      reason: "PAYMENT_DECLINED",
      metadata: { decline_code: "insufficient_funds", payment_intent_id: "intent-1" },
    });
  });
});

describe("asynchronous confirmation", () => {
  const pending = () => open({ status: "requires_confirmation", ...card }).intent;

  it("confirms into AUTHORIZED once; later confirmations change nothing", () => {
    const change = confirmIntent(pending(), context);
    expect(change.intent.status).toBe("authorized");
    expect(change.ledger.map((e) => e.kind)).toEqual(["authorization"]);
    expect(confirmIntent(change.intent, context)).toEqual({ intent: change.intent, events: [], ledger: [] });
  });

  it("fails with a code; a failure after a void changes nothing", () => {
    const failed = failIntent(pending(), "confirmation_timeout", "too late", NOW);
    expect(failed.intent).toMatchObject({ status: "failed", failureCode: "confirmation_timeout" });
    expect(failed.events).toHaveLength(1);
    const voided = voidIntent(pending(), "cancelled", context).intent;
    expect(failIntent(voided, "card_declined", "no", NOW).intent).toBe(voided);
    expect(confirmIntent(voided, context).intent).toBe(voided);
  });
});

describe("captureIntent", () => {
  it("captures the whole authorised amount by default", () => {
    const change = captureIntent(authorized(), undefined, context);
    expect(change.intent).toMatchObject({ status: "captured", capturedAmount: 10_000n });
    expect(change.ledger).toEqual([expect.objectContaining({ kind: "capture", amount: 10_000n })]);
    expect(change.events[0]!.type).toBe(PaymentCapturedSchema);
    expect(change.events[0]!.data).toMatchObject({ amount: { amountMinor: 10_000n, currency: "EUR" } });
  });

  it("captures less, never more than authorised, only in the intent's currency", () => {
    expect(captured(2_500n).capturedAmount).toBe(2_500n);
    expect(() => captureIntent(authorized(), eur(10_001n), context)).toThrow(
      expect.objectContaining({
        kind: "invalid",
        violations: [expect.objectContaining({ field: "amount.amountMinor" })],
      }),
    );
    expect(() => captureIntent(authorized(), { amountMinor: 100n, currency: "USD" }, context)).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: "amount.currency" })] }),
    );
  });

  it("refuses intents that are not AUTHORIZED", () => {
    for (const intent of [captured(), open({ status: "requires_confirmation", ...card }).intent]) {
      expect(() => captureIntent(intent, undefined, context)).toThrow(
        expect.objectContaining({ reason: "INVALID_STATE" }),
      );
    }
  });
});

describe("voidIntent", () => {
  it("voids an authorisation with a zero VOID entry and PaymentVoided carrying the reason", () => {
    const change = voidIntent(authorized(), "order cancelled", context);
    expect(change.intent.status).toBe("voided");
    expect(change.ledger).toEqual([expect.objectContaining({ kind: "void", amount: 0n })]);
    expect(change.events[0]!.data).toMatchObject({ reason: "order cancelled" });
  });

  it("answers VOIDED and FAILED intents unchanged and refuses captured ones", () => {
    const voided = voidIntent(authorized(), "", context).intent;
    expect(voidIntent(voided, "", context)).toEqual({ intent: voided, events: [], ledger: [] });
    const failed = open({ status: "declined", ...card, declineCode: "card_declined", message: "" }).intent;
    expect(voidIntent(failed, "", context).intent).toBe(failed);
    expect(() => voidIntent(captured(), "", context)).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
  });
});

describe("refundIntent", () => {
  it("refunds in parts until nothing is left, each with a Refund and a negative ledger entry", () => {
    const first = refundIntent(captured(6_000n), eur(2_000n), "damaged", context);
    expect(first.intent).toMatchObject({ status: "partially_refunded", refundedAmount: 2_000n });
    expect(first.refund).toMatchObject({ amount: 2_000n, currency: "EUR", reason: "damaged" });
    expect(first.ledger).toEqual([expect.objectContaining({ kind: "refund", amount: -2_000n })]);
    expect(first.events[0]!.data).toMatchObject({ refund: { amount: { amountMinor: 2_000n } } });

    const rest = refundIntent(first.intent, eur(4_000n), "", context);
    expect(rest.intent).toMatchObject({ status: "refunded", refundedAmount: 6_000n });
  });

  it("never refunds more than captured and not yet refunded", () => {
    const partly = refundIntent(captured(6_000n), eur(5_000n), "", context).intent;
    expect(() => refundIntent(partly, eur(1_001n), "", context)).toThrow(
      expect.objectContaining({ reason: "REFUND_EXCEEDS_CAPTURED", metadata: { refundable_minor: "1000" } }),
    );
    const all = refundIntent(partly, eur(1_000n), "", context).intent;
    expect(() => refundIntent(all, eur(1n), "", context)).toThrow(
      expect.objectContaining({ reason: "REFUND_EXCEEDS_CAPTURED" }),
    );
  });

  it("refunds only captured money, in the intent's currency", () => {
    expect(() => refundIntent(authorized(), eur(1n), "", context)).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
    expect(() => refundIntent(captured(), { amountMinor: 1n, currency: "USD" }, "", context)).toThrow(
      expect.objectContaining({ kind: "invalid" }),
    );
  });
});

describe("intentMessage", () => {
  it("carries the amounts in the intent's currency and only brand and last four digits", () => {
    const message = intentMessage(captured(2_500n));
    expect(message).toMatchObject({
      status: PaymentStatus.CAPTURED,
      amount: { amountMinor: 10_000n, currency: "EUR" },
      capturedAmount: { amountMinor: 2_500n, currency: "EUR" },
      refundedAmount: { amountMinor: 0n, currency: "EUR" },
      paymentMethod: { brand: "visa", last4: "4242" },
    });
  });
});
