import {
  PaymentAuthorizedSchema,
  PaymentFailedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import {
  LedgerEntryKind,
  type PaymentIntent,
  PaymentStatus,
} from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { signWebhook } from "@shopmesh/kit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startTestPayment, type TestPayment } from "./support.ts";

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment({ confirmationTimeoutMs: 60_000 });
});

afterAll(async () => {
  await t?.stop();
});

const pending = () => t.authorize({ paymentToken: "tok_sandbox_async" });

async function intent(id: string): Promise<PaymentIntent> {
  return (await t.order.getPaymentIntent({ paymentIntentId: id })).paymentIntent!;
}

describe("a signed payment.succeeded webhook", () => {
  it("authorises the waiting intent, with its ledger entry and PaymentAuthorized", async () => {
    const waiting = await pending();
    const answer = await t.webhook({ type: "payment.succeeded", reference: waiting.providerReference });
    expect(answer.duplicate).toBe(false);
    expect(await intent(waiting.id)).toMatchObject({ status: PaymentStatus.AUTHORIZED });
    const [event] = await t.events(PaymentAuthorizedSchema, waiting.id);
    expect(event?.paymentIntent).toMatchObject({ id: waiting.id, status: PaymentStatus.AUTHORIZED });
    const { ledgerEntries } = await t.order.listOrderPayments({ orderId: waiting.orderId });
    expect(ledgerEntries.map((e) => e.kind)).toEqual([LedgerEntryKind.AUTHORIZATION]);
    // Now it can be captured like any other authorisation.
    const { paymentIntent } = await t.order.capturePayment({
      idempotencyKey: crypto.randomUUID(),
      paymentIntentId: waiting.id,
    });
    expect(paymentIntent?.status).toBe(PaymentStatus.CAPTURED);
  });

  it("is acknowledged again as a duplicate when replayed, with no second effect", async () => {
    const waiting = await pending();
    const signed = t.signedWebhook({
      id: "evt_replayed",
      type: "payment.succeeded",
      reference: waiting.providerReference,
    });
    const first = await t.client.handleProviderWebhook({ provider: "sandbox", ...signed });
    const replay = await t.client.handleProviderWebhook({ provider: "sandbox", ...signed });
    expect([first.duplicate, replay.duplicate]).toEqual([false, true]);
    // Even freshly signed: the event id is what counts.
    const resigned = await t.webhook({
      id: "evt_replayed",
      type: "payment.succeeded",
      reference: waiting.providerReference,
    });
    expect(resigned.duplicate).toBe(true);
    expect(await t.events(PaymentAuthorizedSchema, waiting.id)).toHaveLength(1);
  });

  it("counts concurrent deliveries of one event once", async () => {
    const waiting = await pending();
    const signed = t.signedWebhook({ type: "payment.succeeded", reference: waiting.providerReference });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => t.client.handleProviderWebhook({ provider: "sandbox", ...signed })),
    );
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(await t.events(PaymentAuthorizedSchema, waiting.id)).toHaveLength(1);
  });
});

describe("a signed payment.failed webhook", () => {
  it("fails the waiting intent with the provider's failure code and PaymentFailed", async () => {
    const waiting = await pending();
    await t.webhook({
      type: "payment.failed",
      reference: waiting.providerReference,
      failureCode: "insufficient_funds",
    });
    expect(await intent(waiting.id)).toMatchObject({
      status: PaymentStatus.FAILED,
      failureCode: "insufficient_funds",
    });
    const [event] = await t.events(PaymentFailedSchema, waiting.id);
    expect(event?.paymentIntent?.failureCode).toBe("insufficient_funds");
  });

  it("changes nothing once the intent is settled (a late or contradicting event)", async () => {
    const waiting = await pending();
    await t.webhook({ type: "payment.succeeded", reference: waiting.providerReference });
    const late = await t.webhook({ type: "payment.failed", reference: waiting.providerReference });
    expect(late.duplicate).toBe(false);
    expect((await intent(waiting.id)).status).toBe(PaymentStatus.AUTHORIZED);
    expect(await t.events(PaymentFailedSchema, waiting.id)).toEqual([]);
  });
});

describe("webhooks that are refused", () => {
  it("refuses a wrong signature with UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID and changes nothing", async () => {
    const waiting = await pending();
    const forged = t.signedWebhook(
      { type: "payment.succeeded", reference: waiting.providerReference },
      { secret: "whsec_someone_else_entirely" },
    );
    const error = await failure(t.client.handleProviderWebhook({ provider: "sandbox", ...forged }));
    expect([error.code, errorReason(error)]).toEqual([Code.Unauthenticated, "WEBHOOK_SIGNATURE_INVALID"]);
    const genuine = t.signedWebhook({ type: "payment.succeeded", reference: waiting.providerReference });
    const tampered = new TextEncoder().encode(
      new TextDecoder().decode(genuine.payload).replace("payment.succeeded", "payment.failed"),
    );
    const changed = await failure(
      t.client.handleProviderWebhook({
        provider: "sandbox",
        payload: tampered,
        signature: genuine.signature,
      }),
    );
    expect(errorReason(changed)).toBe("WEBHOOK_SIGNATURE_INVALID");
    for (const signature of ["", "t=1,v1=nothex", "garbage"]) {
      const malformed = await failure(
        t.client.handleProviderWebhook({ provider: "sandbox", payload: genuine.payload, signature }),
      );
      expect(errorReason(malformed)).toBe("WEBHOOK_SIGNATURE_INVALID");
    }
    expect((await intent(waiting.id)).status).toBe(PaymentStatus.REQUIRES_CONFIRMATION);
  });

  it("refuses a stale (or future) timestamp beyond 300 s, correctly signed or not", async () => {
    const waiting = await pending();
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      const error = await failure(
        t.webhook({ type: "payment.succeeded", reference: waiting.providerReference }, { timestamp }),
      );
      expect(errorReason(error)).toBe("WEBHOOK_SIGNATURE_INVALID");
    }
    expect((await intent(waiting.id)).status).toBe(PaymentStatus.REQUIRES_CONFIRMATION);
    const inTime = await t.webhook(
      { type: "payment.succeeded", reference: waiting.providerReference },
      { timestamp: now - 240 },
    );
    expect(inTime.duplicate).toBe(false);
  });

  it("answers NOT_FOUND for an unknown provider", async () => {
    const signed = t.signedWebhook({ type: "payment.succeeded", reference: "pi_x" });
    const error = await failure(t.client.handleProviderWebhook({ provider: "stripe", ...signed }));
    expect(error.code).toBe(Code.NotFound);
  });

  it("answers NOT_FOUND for a payment it does not know (yet), without recording the event", async () => {
    const signed = t.signedWebhook({
      id: "evt_early",
      type: "payment.succeeded",
      reference: "pi_sbx_unknown",
    });
    expect((await failure(t.client.handleProviderWebhook({ provider: "sandbox", ...signed }))).code).toBe(
      Code.NotFound,
    );
    const rows = await t.payment.db.execute("select 1 from webhook_events where event_id = 'evt_early'");
    expect(rows).toEqual([]);
  });

  it("refuses a signed body that is not a webhook event, naming the payload", async () => {
    const body = "not json";
    const error = await failure(
      t.client.handleProviderWebhook({
        provider: "sandbox",
        payload: new TextEncoder().encode(body),
        signature: signWebhook(t.webhookSecret, body, Math.floor(Date.now() / 1000)),
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["payload"]);
  });

  it("acknowledges event types it does not handle, once", async () => {
    const signed = t.signedWebhook({ type: "account.updated" });
    expect((await t.client.handleProviderWebhook({ provider: "sandbox", ...signed })).duplicate).toBe(false);
    expect((await t.client.handleProviderWebhook({ provider: "sandbox", ...signed })).duplicate).toBe(true);
  });
});

describe("the confirmation sweeper", () => {
  it("fails intents unconfirmed past the timeout with confirmation_timeout and PaymentFailed, and only those", async () => {
    const stale = await pending();
    const confirmed = await pending();
    await t.webhook({ type: "payment.succeeded", reference: confirmed.providerReference });
    expect(await t.payment.sweeper.sweep(new Date())).toBe(0);

    const later = new Date(Date.now() + 60_001);
    expect(await t.payment.sweeper.sweep(later)).toBeGreaterThanOrEqual(1);
    expect(await intent(stale.id)).toMatchObject({
      status: PaymentStatus.FAILED,
      failureCode: "confirmation_timeout",
    });
    expect((await intent(confirmed.id)).status).toBe(PaymentStatus.AUTHORIZED);
    const [event] = await t.events(PaymentFailedSchema, stale.id);
    expect(event?.paymentIntent?.failureCode).toBe("confirmation_timeout");

    // A confirmation after the timeout changes nothing.
    await t.webhook({ type: "payment.succeeded", reference: stale.providerReference });
    expect((await intent(stale.id)).status).toBe(PaymentStatus.FAILED);
    expect(await t.payment.sweeper.sweep(later)).toBe(0);
  });
});
