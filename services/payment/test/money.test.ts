import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import {
  PaymentCapturedSchema,
  PaymentRefundedSchema,
  PaymentVoidedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import {
  LedgerEntryKind,
  type PaymentIntent,
  PaymentStatus,
} from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, eur, failure, startTestPayment, type TestPayment } from "./support.ts";

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment();
});

afterAll(async () => {
  await t?.stop();
});

const key = () => crypto.randomUUID();

async function capture(intent: PaymentIntent, amount?: bigint): Promise<PaymentIntent> {
  const { paymentIntent } = await t.order.capturePayment({
    idempotencyKey: key(),
    paymentIntentId: intent.id,
    ...(amount === undefined ? {} : { amount: eur(amount) }),
  });
  return paymentIntent!;
}

function refund(intent: PaymentIntent, amount: bigint, reason = "") {
  return t.order.refundPayment({
    idempotencyKey: key(),
    paymentIntentId: intent.id,
    amount: eur(amount),
    reason,
  });
}

describe("CapturePayment", () => {
  it("captures the whole authorised amount by default, with a ledger entry and PaymentCaptured", async () => {
    const intent = await t.authorize({ amount: eur(2_500n) });
    const captured = await capture(intent);
    expect(captured).toMatchObject({ status: PaymentStatus.CAPTURED, capturedAmount: eur(2_500n) });
    const [event] = await t.events(PaymentCapturedSchema, intent.id);
    expect(event).toMatchObject({ amount: eur(2_500n), paymentIntent: { status: PaymentStatus.CAPTURED } });
    const { ledgerEntries } = await t.order.listOrderPayments({ orderId: intent.orderId });
    expect(ledgerEntries.map((e) => [e.kind, e.amount?.amountMinor])).toEqual([
      [LedgerEntryKind.AUTHORIZATION, 0n],
      [LedgerEntryKind.CAPTURE, 2_500n],
    ]);
  });

  it("captures part of the authorisation, never more, never in another currency", async () => {
    const intent = await t.authorize({ amount: eur(2_500n) });
    const tooMuch = await failure(
      t.order.capturePayment({ idempotencyKey: key(), paymentIntentId: intent.id, amount: eur(2_501n) }),
    );
    expect(tooMuch.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(tooMuch).map((v) => v.field)).toEqual(["amount.amountMinor"]);
    const dollars = await failure(
      t.order.capturePayment({
        idempotencyKey: key(),
        paymentIntentId: intent.id,
        amount: { amountMinor: 100n, currency: "USD" },
      }),
    );
    expect(fieldViolations(dollars).map((v) => v.field)).toEqual(["amount.currency"]);
    expect(await capture(intent, 1_000n)).toMatchObject({ capturedAmount: eur(1_000n), amount: eur(2_500n) });
  });

  it("refuses a second capture, an unconfirmed intent and an unknown one", async () => {
    const intent = await t.authorize();
    await capture(intent);
    const again = await failure(
      t.order.capturePayment({ idempotencyKey: key(), paymentIntentId: intent.id }),
    );
    expect([again.code, errorReason(again)]).toEqual([Code.FailedPrecondition, "INVALID_STATE"]);
    const pending = await t.authorize({ paymentToken: "tok_sandbox_async" });
    const unconfirmed = await failure(
      t.order.capturePayment({ idempotencyKey: key(), paymentIntentId: pending.id }),
    );
    expect(errorReason(unconfirmed)).toBe("INVALID_STATE");
    const missing = await failure(
      t.order.capturePayment({ idempotencyKey: key(), paymentIntentId: crypto.randomUUID() }),
    );
    expect(missing.code).toBe(Code.NotFound);
  });
});

describe("VoidPayment", () => {
  it("releases an authorisation with a zero VOID ledger entry and PaymentVoided", async () => {
    const intent = await t.authorize();
    const { paymentIntent } = await t.order.voidPayment({
      idempotencyKey: key(),
      paymentIntentId: intent.id,
      reason: "out of stock",
    });
    expect(paymentIntent).toMatchObject({ status: PaymentStatus.VOIDED, capturedAmount: eur(0n) });
    const [event] = await t.events(PaymentVoidedSchema, intent.id);
    expect(event).toMatchObject({ reason: "out of stock" });
    const { ledgerEntries } = await t.order.listOrderPayments({ orderId: intent.orderId });
    expect(ledgerEntries.map((e) => [e.kind, e.amount?.amountMinor])).toEqual([
      [LedgerEntryKind.AUTHORIZATION, 0n],
      [LedgerEntryKind.VOID, 0n],
    ]);
  });

  it("voids an intent waiting for confirmation", async () => {
    const pending = await t.authorize({ paymentToken: "tok_sandbox_async" });
    const { paymentIntent } = await t.order.voidPayment({
      idempotencyKey: key(),
      paymentIntentId: pending.id,
    });
    expect(paymentIntent?.status).toBe(PaymentStatus.VOIDED);
  });

  it("succeeds without change on VOIDED and FAILED intents, and refuses captured ones", async () => {
    const intent = await t.authorize();
    await t.order.voidPayment({ idempotencyKey: key(), paymentIntentId: intent.id });
    const again = await t.order.voidPayment({ idempotencyKey: key(), paymentIntentId: intent.id });
    expect(again.paymentIntent?.status).toBe(PaymentStatus.VOIDED);
    expect(await t.events(PaymentVoidedSchema, intent.id)).toHaveLength(1);

    const declined = await failure(
      t.order.authorizePayment({
        idempotencyKey: key(),
        orderId: crypto.randomUUID(),
        amount: eur(100n),
        paymentToken: "tok_sandbox_declined",
      }),
    );
    const failedId = declined.findDetails(ErrorInfoSchema)[0]!.metadata.payment_intent_id!;
    const failedVoid = await t.order.voidPayment({ idempotencyKey: key(), paymentIntentId: failedId });
    expect(failedVoid.paymentIntent?.status).toBe(PaymentStatus.FAILED);

    const captured = await t.authorize();
    await capture(captured);
    const refused = await failure(
      t.order.voidPayment({ idempotencyKey: key(), paymentIntentId: captured.id }),
    );
    expect(errorReason(refused)).toBe("INVALID_STATE");
  });
});

describe("RefundPayment", () => {
  it("refunds in parts, then in full, with a Refund, a negative ledger entry and PaymentRefunded each", async () => {
    const intent = await t.authorize({ amount: eur(10_000n) });
    await capture(intent, 8_000n);
    const first = await refund(intent, 3_000n, "one item returned");
    expect(first.paymentIntent).toMatchObject({
      status: PaymentStatus.PARTIALLY_REFUNDED,
      capturedAmount: eur(8_000n),
      refundedAmount: eur(3_000n),
    });
    expect(first.refund).toMatchObject({
      paymentIntentId: intent.id,
      amount: eur(3_000n),
      reason: "one item returned",
    });
    const rest = await refund(intent, 5_000n);
    expect(rest.paymentIntent).toMatchObject({ status: PaymentStatus.REFUNDED, refundedAmount: eur(8_000n) });

    const { refunds, ledgerEntries } = await t.order.listOrderPayments({ orderId: intent.orderId });
    expect(refunds.map((r) => r.amount?.amountMinor)).toEqual([3_000n, 5_000n]);
    expect(ledgerEntries.map((e) => [e.kind, e.amount?.amountMinor])).toEqual([
      [LedgerEntryKind.AUTHORIZATION, 0n],
      [LedgerEntryKind.CAPTURE, 8_000n],
      [LedgerEntryKind.REFUND, -3_000n],
      [LedgerEntryKind.REFUND, -5_000n],
    ]);
    const events = await t.events(PaymentRefundedSchema, intent.id);
    expect(events.map((e) => [e.refund?.amount?.amountMinor, e.paymentIntent?.status])).toEqual([
      [3_000n, PaymentStatus.PARTIALLY_REFUNDED],
      [5_000n, PaymentStatus.REFUNDED],
    ]);
  });

  it("never refunds more than captured: REFUND_EXCEEDS_CAPTURED", async () => {
    const intent = await t.authorize({ amount: eur(10_000n) });
    await capture(intent, 4_000n);
    const tooMuch = await failure(refund(intent, 4_001n));
    expect([tooMuch.code, errorReason(tooMuch)]).toEqual([
      Code.FailedPrecondition,
      "REFUND_EXCEEDS_CAPTURED",
    ]);
    await refund(intent, 4_000n);
    const nothingLeft = await failure(refund(intent, 1n));
    expect(errorReason(nothingLeft)).toBe("REFUND_EXCEEDS_CAPTURED");
  });

  it("refuses amounts that are not positive, other currencies, and uncaptured intents", async () => {
    const intent = await t.authorize();
    const uncaptured = await failure(refund(intent, 100n));
    expect(errorReason(uncaptured)).toBe("INVALID_STATE");
    await capture(intent);
    const zero = await failure(refund(intent, 0n));
    expect(fieldViolations(zero).map((v) => v.field)).toEqual(["amount.amountMinor"]);
    const dollars = await failure(
      t.order.refundPayment({
        idempotencyKey: key(),
        paymentIntentId: intent.id,
        amount: { amountMinor: 1n, currency: "USD" },
      }),
    );
    expect(fieldViolations(dollars).map((v) => v.field)).toEqual(["amount.currency"]);
  });

  it("lets two concurrent refunds that together exceed the capture not both pass", async () => {
    const intent = await t.authorize({ amount: eur(10_000n) });
    await capture(intent);
    const outcomes = await Promise.allSettled([refund(intent, 6_000n), refund(intent, 6_000n)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected")!;
    expect(errorReason(lost.reason)).toBe("REFUND_EXCEEDS_CAPTURED");
    const { paymentIntent } = await t.order.getPaymentIntent({ paymentIntentId: intent.id });
    expect(paymentIntent?.refundedAmount?.amountMinor).toBe(6_000n);
    expect(await t.events(PaymentRefundedSchema, intent.id)).toHaveLength(1);
  });

  it("under a burst of concurrent partial refunds, refunds exactly the captured amount and no more", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    await capture(intent);
    const outcomes = await Promise.allSettled(Array.from({ length: 15 }, () => refund(intent, 100n)));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
    const { paymentIntents, refunds, ledgerEntries } = await t.order.listOrderPayments({
      orderId: intent.orderId,
    });
    expect(paymentIntents[0]).toMatchObject({ status: PaymentStatus.REFUNDED, refundedAmount: eur(1_000n) });
    expect(refunds).toHaveLength(10);
    const sum = ledgerEntries.reduce((total, entry) => total + (entry.amount?.amountMinor ?? 0n), 0n);
    expect(sum).toBe(0n);
  });
});

describe("the ledger", () => {
  it("refuses to change or delete an entry", async () => {
    const intent = await t.authorize();
    await expect(
      t.payment.db.execute("update ledger_entries set amount = 0 where payment_intent_id = ?", [intent.id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.payment.db.execute("delete from ledger_entries")).rejects.toThrow(/append-only/);
  });
});

describe("access", () => {
  it("lets admins refund (payments.refund), but not support or customers, and only services capture or void", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    await capture(intent);
    const byAdmin = await t.client.refundPayment(
      { idempotencyKey: key(), paymentIntentId: intent.id, amount: eur(100n), reason: "goodwill" },
      t.admin,
    );
    expect(byAdmin.paymentIntent?.refundedAmount?.amountMinor).toBe(100n);
    for (const options of [t.support, t.customer]) {
      const error = await failure(
        t.client.refundPayment(
          { idempotencyKey: key(), paymentIntentId: intent.id, amount: eur(100n) },
          options,
        ),
      );
      expect(error.code).toBe(Code.PermissionDenied);
    }
    const other = await t.authorize();
    for (const call of [
      t.client.capturePayment({ idempotencyKey: key(), paymentIntentId: other.id }, t.admin),
      t.client.voidPayment({ idempotencyKey: key(), paymentIntentId: other.id }, t.admin),
    ]) {
      expect((await failure(call)).code).toBe(Code.PermissionDenied);
    }
  });

  it("lets support and admins read an order's payments, but not customers or anonymous callers", async () => {
    const intent = await t.authorize();
    for (const options of [t.support, t.admin]) {
      const { paymentIntent } = await t.client.getPaymentIntent({ paymentIntentId: intent.id }, options);
      expect(paymentIntent?.id).toBe(intent.id);
      const { paymentIntents } = await t.client.listOrderPayments({ orderId: intent.orderId }, options);
      expect(paymentIntents.map((p) => p.id)).toEqual([intent.id]);
    }
    expect((await failure(t.client.getPaymentIntent({ paymentIntentId: intent.id }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.listOrderPayments({ orderId: intent.orderId }))).code).toBe(
      Code.Unauthenticated,
    );
  });
});
