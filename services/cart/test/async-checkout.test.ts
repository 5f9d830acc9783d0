import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCheckout, type TestCheckout } from "../../order/test/support.ts";

/**
 * The whole checkout (order, payment, inventory, catalog, shipping and this cart service, on one
 * test prefix): an order whose payment is confirmed asynchronously answers PENDING, so nobody
 * empties the cart at checkout; its OrderConfirmed does, later.
 */

let t: TestCheckout;

beforeAll(async () => {
  t = await startTestCheckout({ orderEnv: { PAYMENT_POLL_MS: "60000" } });
  await t.product("CART-ASYNC", { priceMinor: 2500n, stock: 20 });
  await t.product("CART-LATER", { priceMinor: 900n, stock: 20 });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe("an order confirmed after an asynchronous payment", () => {
  it("leaves the customer's cart with only what was added since", async () => {
    const ann = await t.customer();
    await t.fill(ann, [["CART-ASYNC", 2]]);
    const pending = await t.place(ann, { paymentToken: "tok_sandbox_async" });
    expect(pending.status).toBe(OrderStatus.PENDING);
    // Still choosing while the payment is confirmed.
    await t.cart.addItem({ sku: "CART-LATER", quantity: 1 }, ann.auth);

    const { paymentIntents } = await t.payment.order.listOrderPayments({ orderId: pending.id });
    await t.payment.webhook({ type: "payment.succeeded", reference: paymentIntents[0]!.providerReference });
    await waitFor(
      async () => {
        const { order } = await t.client.getOrder({ orderId: pending.id }, ann.auth);
        return order?.status === OrderStatus.CONFIRMED;
      },
      { timeoutMs: 15_000, intervalMs: 100, message: "order confirmed" },
    );

    const emptied = await waitFor(
      async () => {
        const { cart } = await t.cart.getCart({}, ann.auth);
        return cart?.lines.every((line) => line.sku !== "CART-ASYNC") && cart;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: "ordered items gone from the cart" },
    );
    expect(emptied.lines.map((line) => [line.sku, line.quantity])).toEqual([["CART-LATER", 1]]);
  });
});
