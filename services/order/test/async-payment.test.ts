import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { type Order, OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import type { RpcClient } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCheckout, type TestCheckout, type TestCustomer } from "./support.ts";

let t: TestCheckout;

beforeAll(async () => {
  // Polling payment only once a minute: a waiting checkout here moves only when payment's
  // events (PaymentAuthorized, PaymentFailed) wake it.
  t = await startTestCheckout({ orderEnv: { PAYMENT_POLL_MS: "60000" } });
  await t.product("ASYNC", { priceMinor: 2500n, stock: 20 });
});

afterAll(async () => {
  await t?.stop();
});

async function settled(client: RpcClient<typeof OrderService>, customer: TestCustomer, order: Order) {
  return waitFor(
    async () => {
      const { order: current } = await client.getOrder({ orderId: order.id }, customer.auth);
      return current?.status !== OrderStatus.PENDING && current;
    },
    { timeoutMs: 15_000, intervalMs: 100, message: `order ${order.id} settled` },
  );
}

async function intentOf(order: Order) {
  const { paymentIntents } = await t.payment.order.listOrderPayments({ orderId: order.id });
  expect(paymentIntents).toHaveLength(1);
  return paymentIntents[0]!;
}

describe("a payment that needs confirmation", () => {
  it("answers PENDING, then confirms when payment reports the authorisation", async () => {
    const ann = await t.customer();
    await t.fill(ann, [["ASYNC", 2]]);
    const pending = await t.place(ann, { paymentToken: "tok_sandbox_async" });
    expect(pending.status).toBe(OrderStatus.PENDING);
    expect((await t.stock("ASYNC")).reserved).toBe(2n);
    const intent = await intentOf(pending);
    expect(intent.status).toBe(PaymentStatus.REQUIRES_CONFIRMATION);

    await t.payment.webhook({ type: "payment.succeeded", reference: intent.providerReference });
    const confirmed = await settled(t.client, ann, pending);
    expect(confirmed.status).toBe(OrderStatus.CONFIRMED);
    expect((await intentOf(pending)).status).toBe(PaymentStatus.CAPTURED);
    expect((await t.stock("ASYNC")).reserved).toBe(0n);
  });

  it("fails and releases the stock when payment reports a failure", async () => {
    const bob = await t.customer();
    await t.fill(bob, [["ASYNC", 1]]);
    const before = await t.stock("ASYNC");
    const pending = await t.place(bob, { paymentToken: "tok_sandbox_async" });
    expect(pending.status).toBe(OrderStatus.PENDING);
    const intent = await intentOf(pending);

    await t.payment.webhook({
      type: "payment.failed",
      reference: intent.providerReference,
      failureCode: "card_declined",
    });
    const failed = await settled(t.client, bob, pending);
    expect(failed).toMatchObject({ status: OrderStatus.FAILED, failureCode: "PAYMENT_DECLINED" });
    expect(await t.stock("ASYNC")).toEqual(before);
  });

  it("gives up after the confirmation wait: PAYMENT_NOT_CONFIRMED, the authorisation voided", async () => {
    const order = await t.startOrder({
      DB_SCHEMA: "order_async_timeout",
      PAYMENT_CONFIRMATION_TIMEOUT_MS: "1500",
      PAYMENT_POLL_MS: "200",
    });
    try {
      const cy = await t.customer();
      await t.fill(cy, [["ASYNC", 1]]);
      const before = await t.stock("ASYNC");
      const pending = await t.place(cy, { paymentToken: "tok_sandbox_async" }, order.client);
      expect(pending.status).toBe(OrderStatus.PENDING);
      const failed = await settled(order.client, cy, pending);
      expect(failed).toMatchObject({ status: OrderStatus.FAILED, failureCode: "PAYMENT_NOT_CONFIRMED" });
      expect((await intentOf(pending)).status).toBe(PaymentStatus.VOIDED);
      expect(await t.stock("ASYNC")).toEqual(before);
    } finally {
      await order.stop();
    }
  });
});
