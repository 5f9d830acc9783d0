import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import {
  PaymentAuthorizedSchema,
  PaymentFailedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { LedgerEntryKind, PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, eur, failure, orderId, startTestPayment, type TestPayment } from "./support.ts";

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment();
});

afterAll(async () => {
  await t?.stop();
});

function request(paymentToken: string, init: { orderId?: string; idempotencyKey?: string } = {}) {
  return {
    idempotencyKey: init.idempotencyKey ?? crypto.randomUUID(),
    orderId: init.orderId ?? orderId(),
    customerId: "0190a000-0000-7000-8000-00000000c001",
    amount: eur(4_990n),
    paymentToken,
  };
}

async function ledger(order: string) {
  return (await t.order.listOrderPayments({ orderId: order })).ledgerEntries;
}

describe("the sandbox test tokens", () => {
  it.each([
    ["tok_sandbox_visa", "visa", "4242"],
    ["tok_sandbox_mastercard", "mastercard", "4444"],
  ])("%s authorises and keeps only brand %s and last four %s", async (token, brand, last4) => {
    const order = orderId();
    const { paymentIntent } = await t.order.authorizePayment(request(token, { orderId: order }));
    expect(paymentIntent).toMatchObject({
      orderId: order,
      customerId: "0190a000-0000-7000-8000-00000000c001",
      provider: "sandbox",
      providerReference: expect.stringMatching(/^pi_sbx_/),
      status: PaymentStatus.AUTHORIZED,
      amount: eur(4_990n),
      capturedAmount: eur(0n),
      refundedAmount: eur(0n),
      paymentMethod: { brand, last4 },
      failureCode: "",
    });
    const [event] = await t.events(PaymentAuthorizedSchema, paymentIntent!.id);
    expect(event?.paymentIntent).toMatchObject({ id: paymentIntent!.id, status: PaymentStatus.AUTHORIZED });
    const entries = await ledger(order);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: LedgerEntryKind.AUTHORIZATION, amount: eur(0n) });
  });

  it.each([
    ["tok_sandbox_declined", "card_declined", "0002"],
    ["tok_sandbox_insufficient_funds", "insufficient_funds", "9995"],
  ])("%s is declined with decline_code %s and leaves a FAILED intent", async (token, declineCode, last4) => {
    const order = orderId();
    const error = await failure(t.order.authorizePayment(request(token, { orderId: order })));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(errorReason(error)).toBe("PAYMENT_DECLINED");
    const metadata = error.findDetails(ErrorInfoSchema)[0]!.metadata;
    expect(metadata.decline_code).toBe(declineCode);

    const { paymentIntents, ledgerEntries } = await t.order.listOrderPayments({ orderId: order });
    expect(paymentIntents).toHaveLength(1);
    expect(paymentIntents[0]).toMatchObject({
      id: metadata.payment_intent_id,
      status: PaymentStatus.FAILED,
      failureCode: declineCode,
      paymentMethod: { brand: "visa", last4 },
    });
    expect(ledgerEntries).toEqual([]);
    const failed = await t.events(PaymentFailedSchema, metadata.payment_intent_id);
    expect(failed.map((e) => e.paymentIntent?.failureCode)).toEqual([declineCode]);
  });

  it("tok_sandbox_processor_error is UNAVAILABLE and records nothing, again on a retry with the same key", async () => {
    const order = orderId();
    const same = request("tok_sandbox_processor_error", { orderId: order });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await failure(t.order.authorizePayment(same));
      expect(error.code).toBe(Code.Unavailable);
    }
    expect((await t.order.listOrderPayments({ orderId: order })).paymentIntents).toEqual([]);
    const kept = await t.payment.db.execute("select 1 from idempotency_keys where key = ?", [
      same.idempotencyKey,
    ]);
    expect(kept).toEqual([]);
  });

  it("tok_sandbox_async waits in REQUIRES_CONFIRMATION without an event or a ledger entry", async () => {
    const order = orderId();
    const { paymentIntent } = await t.order.authorizePayment(
      request("tok_sandbox_async", { orderId: order }),
    );
    expect(paymentIntent).toMatchObject({
      status: PaymentStatus.REQUIRES_CONFIRMATION,
      paymentMethod: { last4: "3155" },
    });
    expect(await t.events(PaymentAuthorizedSchema, paymentIntent!.id)).toEqual([]);
    expect(await ledger(order)).toEqual([]);
  });

  it("refuses a token the sandbox does not know, and a provider this deployment lacks", async () => {
    const unknown = await failure(t.order.authorizePayment(request("4242424242424242")));
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(unknown).map((v) => v.field)).toEqual(["paymentToken"]);
    expect(unknown.rawMessage).not.toContain("4242424242424242");
    const provider = await failure(
      t.order.authorizePayment({ ...request("tok_sandbox_visa"), provider: "stripe" }),
    );
    expect(fieldViolations(provider).map((v) => v.field)).toEqual(["provider"]);
  });
});

describe("AuthorizePayment input", () => {
  it("names every bad field", async () => {
    const error = await failure(
      t.order.authorizePayment({
        idempotencyKey: "",
        orderId: "order-1",
        customerId: "guest",
        amount: { amountMinor: 0n, currency: "eur" },
        paymentToken: "",
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual([
      "idempotencyKey",
      "orderId",
      "customerId",
      "amount.amountMinor",
      "amount.currency",
      "paymentToken",
    ]);
  });

  it("lets guests pay (no customer id)", async () => {
    const intent = await t.authorize({ customerId: "" });
    expect(intent).toMatchObject({ customerId: "", status: PaymentStatus.AUTHORIZED });
  });
});

describe("card data", () => {
  it("is never stored: no token, no card number, only brand and last four digits", async () => {
    await t.authorize({ paymentToken: "tok_sandbox_mastercard" });
    // A caller passing a card number where a token belongs: refused, and not kept either.
    await failure(t.order.authorizePayment(request("5555555555554444")));
    const columns = await t.payment.db.execute<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = 'payment' and table_name not in ('outbox_events', 'inbox_events', 'schema_migrations')`,
    );
    const names = columns.map((c) => c.column_name);
    expect(names.filter((name) => /token|pan|card_number|cvc|cvv|expiry/.test(name))).toEqual([]);
    const [intents, keys] = await Promise.all([
      t.payment.db.execute<{ row: string }>("select p::text as row from payment_intents p"),
      t.payment.db.execute<{ row: string; response: string }>(
        "select k::text as row, encode(coalesce(response, ''), 'escape') as response from idempotency_keys k",
      ),
    ]);
    expect(intents.length).toBeGreaterThan(0);
    for (const { row } of intents) expect(row).not.toMatch(/tok_|5555555555554444/);
    for (const { row, response } of keys) {
      expect(row).not.toContain("5555555555554444");
      expect(response).not.toContain("tok_");
    }
  });
});

describe("access", () => {
  it("lets only services authorise: a customer, staff and anonymous callers cannot", async () => {
    for (const options of [t.customer, t.admin, t.support]) {
      const error = await failure(t.client.authorizePayment(request("tok_sandbox_visa"), options));
      expect(error.code).toBe(Code.PermissionDenied);
    }
    expect((await failure(t.client.authorizePayment(request("tok_sandbox_visa")))).code).toBe(
      Code.Unauthenticated,
    );
  });
});
