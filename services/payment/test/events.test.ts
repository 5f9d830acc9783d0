import { fromBinary } from "@bufbuild/protobuf";
import {
  PaymentAuthorizedSchema,
  PaymentCapturedSchema,
  PaymentFailedSchema,
  PaymentRefundedSchema,
  PaymentVoidedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { EventHeaders } from "@shopmesh/kit/events";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eur, failure, orderId, startTestPayment, type TestPayment } from "./support.ts";

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment();
});

afterAll(async () => {
  await t?.stop();
});

describe("payment events", () => {
  it("publishes every kind on stream <PREFIX>_PAYMENT, with the intent id as ce-subject", async () => {
    const captured = await t.authorize({ amount: eur(1_000n) });
    await t.order.capturePayment({ idempotencyKey: crypto.randomUUID(), paymentIntentId: captured.id });
    await t.order.refundPayment({
      idempotencyKey: crypto.randomUUID(),
      paymentIntentId: captured.id,
      amount: eur(400n),
    });
    const voided = await t.authorize();
    await t.order.voidPayment({
      idempotencyKey: crypto.randomUUID(),
      paymentIntentId: voided.id,
      reason: "cancelled",
    });
    await failure(
      t.order.authorizePayment({
        idempotencyKey: crypto.randomUUID(),
        orderId: orderId(),
        amount: eur(100n),
        paymentToken: "tok_sandbox_declined",
      }),
    );

    const stream = `${t.prefix.toUpperCase()}_PAYMENT`;
    const messages = await waitFor(
      async () => {
        const all = await readStream(stream);
        return all.length >= 6 && all;
      },
      { timeoutMs: 10_000, message: "six payment events on the stream" },
    );
    const seen = messages.map((message) => [message.subject, message.header.get(EventHeaders.type)]);
    expect(seen).toEqual([
      [`${t.prefix}.payment.payment_authorized`, PaymentAuthorizedSchema.typeName],
      [`${t.prefix}.payment.payment_captured`, PaymentCapturedSchema.typeName],
      [`${t.prefix}.payment.payment_refunded`, PaymentRefundedSchema.typeName],
      [`${t.prefix}.payment.payment_authorized`, PaymentAuthorizedSchema.typeName],
      [`${t.prefix}.payment.payment_voided`, PaymentVoidedSchema.typeName],
      [`${t.prefix}.payment.payment_failed`, PaymentFailedSchema.typeName],
    ]);
    const refunded = fromBinary(PaymentRefundedSchema, messages[2]!.data);
    expect(messages[2]!.header.get(EventHeaders.subject)).toBe(captured.id);
    expect(refunded.refund?.amount?.amountMinor).toBe(400n);
    expect(messages[2]!.header.get(EventHeaders.actor)).toBe("service:order");
  });
});
