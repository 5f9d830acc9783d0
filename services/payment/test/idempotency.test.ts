import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import {
  PaymentAuthorizedSchema,
  PaymentCapturedSchema,
  PaymentFailedSchema,
  PaymentRefundedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { errorReason } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, eur, failure, orderId, startTestPayment, type TestPayment } from "./support.ts";

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment();
});

afterAll(async () => {
  await t?.stop();
});

function authorizeRequest(idempotencyKey: string, order = orderId(), paymentToken = "tok_sandbox_visa") {
  return { idempotencyKey, orderId: order, amount: eur(1_999n), paymentToken };
}

async function countRows(table: string, where: string, params: unknown[]): Promise<number> {
  const rows = await t.payment.db.execute<{ n: string }>(
    `select count(*) as n from ${table} where ${where}`,
    params,
  );
  return Number(rows[0]!.n);
}

describe("the same key with the same request", () => {
  it("answers the first AuthorizePayment again, without a second intent, ledger entry or event", async () => {
    const request = authorizeRequest("checkout-1:authorize");
    const first = await t.order.authorizePayment(request);
    const second = await t.order.authorizePayment(request);
    expect(second).toEqual(first);
    const { paymentIntents, ledgerEntries } = await t.order.listOrderPayments({ orderId: request.orderId });
    expect(paymentIntents).toHaveLength(1);
    expect(ledgerEntries).toHaveLength(1);
    expect(await t.events(PaymentAuthorizedSchema, first.paymentIntent!.id)).toHaveLength(1);
  });

  it("answers the first result even when the intent changed since (a snapshot, as Stripe does)", async () => {
    const intent = await t.authorize();
    const capture = { idempotencyKey: "capture-once", paymentIntentId: intent.id };
    const first = await t.order.capturePayment(capture);
    await t.order.refundPayment({
      idempotencyKey: "refund-1",
      paymentIntentId: intent.id,
      amount: eur(100n),
    });
    const again = await t.order.capturePayment(capture);
    expect(again).toEqual(first);
    expect(again.paymentIntent?.status).toBe(PaymentStatus.CAPTURED);
    expect(await t.events(PaymentCapturedSchema, intent.id)).toHaveLength(1);
  });

  it("answers a decline again with the same error and the same FAILED intent", async () => {
    const request = authorizeRequest("declined-once", orderId(), "tok_sandbox_insufficient_funds");
    const first = await failure(t.order.authorizePayment(request));
    const second = await failure(t.order.authorizePayment(request));
    expect([second.code, errorReason(second), second.rawMessage]).toEqual([
      first.code,
      errorReason(first),
      first.rawMessage,
    ]);
    expect(second.findDetails(ErrorInfoSchema)[0]!.metadata).toEqual(
      first.findDetails(ErrorInfoSchema)[0]!.metadata,
    );
    const { paymentIntents } = await t.order.listOrderPayments({ orderId: request.orderId });
    expect(paymentIntents.map((p) => p.status)).toEqual([PaymentStatus.FAILED]);
    expect(await t.events(PaymentFailedSchema, paymentIntents[0]!.id)).toHaveLength(1);
  });

  it("answers a refund beyond the capture again with the same error, even after more was captured elsewhere", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    await t.order.capturePayment({
      idempotencyKey: crypto.randomUUID(),
      paymentIntentId: intent.id,
      amount: eur(500n),
    });
    const request = { idempotencyKey: "refund-too-much", paymentIntentId: intent.id, amount: eur(600n) };
    expect(errorReason(await failure(t.order.refundPayment(request)))).toBe("REFUND_EXCEEDS_CAPTURED");
    expect(errorReason(await failure(t.order.refundPayment(request)))).toBe("REFUND_EXCEEDS_CAPTURED");
  });

  it("keeps nothing for a processor failure: the retry with the same key reaches the processor again", async () => {
    const request = authorizeRequest("flaky-processor", orderId(), "tok_sandbox_processor_error");
    expect((await failure(t.order.authorizePayment(request))).code).toBe(Code.Unavailable);
    expect((await failure(t.order.authorizePayment(request))).code).toBe(Code.Unavailable);
    expect(await countRows("idempotency_keys", "key = ?", [request.idempotencyKey])).toBe(0);
  });

  it("does not keep invalid requests: the key stays free for a corrected one", async () => {
    const bad = { ...authorizeRequest("fix-me"), amount: eur(-5n) };
    expect((await failure(t.order.authorizePayment(bad))).code).toBe(Code.InvalidArgument);
    const good = await t.order.authorizePayment(authorizeRequest("fix-me"));
    expect(good.paymentIntent?.status).toBe(PaymentStatus.AUTHORIZED);
  });
});

describe("the same key with a different request", () => {
  it("is IDEMPOTENCY_KEY_REUSED, whatever differs, and changes nothing", async () => {
    const order = orderId();
    await t.order.authorizePayment(authorizeRequest("reused", order));
    const variants = [
      { ...authorizeRequest("reused", order), amount: eur(2_000n) },
      { ...authorizeRequest("reused", order), paymentToken: "tok_sandbox_mastercard" },
      authorizeRequest("reused", orderId()),
      { ...authorizeRequest("reused", order), customerId: "0190a000-0000-7000-8000-00000000c001" },
    ];
    for (const variant of variants) {
      const error = await failure(t.order.authorizePayment(variant));
      expect([error.code, errorReason(error)]).toEqual([Code.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED"]);
    }
    expect((await t.order.listOrderPayments({ orderId: order })).paymentIntents).toHaveLength(1);
  });

  it("scopes keys per method: one key may capture and refund", async () => {
    const intent = await t.authorize();
    await t.order.capturePayment({ idempotencyKey: "order-7", paymentIntentId: intent.id });
    const { refund } = await t.order.refundPayment({
      idempotencyKey: "order-7",
      paymentIntentId: intent.id,
      amount: eur(1n),
    });
    expect(refund?.amount?.amountMinor).toBe(1n);
  });
});

describe("concurrent calls with one key", () => {
  it("20 concurrent AuthorizePayment calls make one intent, one provider decision, one ledger entry, one event", async () => {
    const request = authorizeRequest("burst-authorize");
    const sandbox = t.payment.providers.get("sandbox")!.adapter;
    const providerCalls = vi.spyOn(sandbox, "authorize");
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.order.authorizePayment(request)));
    expect(providerCalls).toHaveBeenCalledTimes(1);
    providerCalls.mockRestore();
    const ids = new Set(answers.map((answer) => answer.paymentIntent!.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await countRows("payment_intents", "order_id = ?", [request.orderId])).toBe(1);
    expect(await countRows("ledger_entries", "payment_intent_id = ?", [id])).toBe(1);
    expect(await t.events(PaymentAuthorizedSchema, id)).toHaveLength(1);
    expect(await countRows("idempotency_keys", "key = ?", [request.idempotencyKey])).toBe(1);
  });

  it("20 concurrent CapturePayment calls capture once, with one ledger entry and one event", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    const request = { idempotencyKey: "burst-capture", paymentIntentId: intent.id, amount: eur(600n) };
    const sandbox = t.payment.providers.get("sandbox")!.adapter;
    const providerCalls = vi.spyOn(sandbox, "capture");
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.order.capturePayment(request)));
    expect(providerCalls).toHaveBeenCalledTimes(1);
    providerCalls.mockRestore();
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.paymentIntent?.capturedAmount?.amountMinor).toBe(600n);
    expect(await countRows("ledger_entries", "payment_intent_id = ? and kind = 'capture'", [intent.id])).toBe(
      1,
    );
    expect(await t.events(PaymentCapturedSchema, intent.id)).toHaveLength(1);
  });

  it("lets a call waiting behind a processor failure reach the processor itself, keeping nothing", async () => {
    const request = authorizeRequest("burst-flaky", orderId(), "tok_sandbox_processor_error");
    const sandbox = t.payment.providers.get("sandbox")!.adapter;
    const providerCalls = vi.spyOn(sandbox, "authorize");
    const outcomes = await Promise.all([1, 2, 3].map(() => failure(t.order.authorizePayment(request))));
    expect(providerCalls).toHaveBeenCalledTimes(3);
    providerCalls.mockRestore();
    expect(outcomes.map((error) => error.code)).toEqual([
      Code.Unavailable,
      Code.Unavailable,
      Code.Unavailable,
    ]);
    expect(await countRows("idempotency_keys", "key = ?", [request.idempotencyKey])).toBe(0);
  });

  it("20 concurrent identical refunds refund once", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    await t.order.capturePayment({ idempotencyKey: crypto.randomUUID(), paymentIntentId: intent.id });
    const request = {
      idempotencyKey: "burst-refund",
      paymentIntentId: intent.id,
      amount: eur(300n),
      reason: "late",
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.order.refundPayment(request)));
    expect(new Set(answers.map((answer) => answer.refund!.id)).size).toBe(1);
    const { paymentIntent } = await t.order.getPaymentIntent({ paymentIntentId: intent.id });
    expect(paymentIntent?.refundedAmount?.amountMinor).toBe(300n);
    expect(await t.events(PaymentRefundedSchema, intent.id)).toHaveLength(1);
  });
});

describe("the idempotency_keys table", () => {
  it("never commits a key without an answer, nor one with two", async () => {
    const insert = (key: string, response: string | null, error: string | null) =>
      t.payment.db.execute(
        `insert into idempotency_keys (method, key, fingerprint, response, error, create_time)
         values ('Test', ?, 'fingerprint', ?::bytea, ?::jsonb, now())`,
        [key, response, error],
      );
    await expect(insert("no-answer", null, null)).rejects.toThrow(/no answer at commit/);
    await expect(insert("two-answers", "\\x00", "{}")).rejects.toThrow(/idempotency_keys_outcome_check/);
    await insert("one-answer", "\\x00", null);
    expect(await countRows("idempotency_keys", "method = 'Test' and key like ?", ["%answer%"])).toBe(1);
  });
});
