import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARRIER_WEBHOOK_SECRET } from "../support/checkout.ts";
import { type Json, json } from "../support/http.ts";
import { openShop, SHIPPING_ADDRESS, type Shop } from "../support/orders.ts";
import { type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let shop: Shop;

beforeAll(async () => {
  platform = await startPlatform({ checkout: true });
  shop = await openShop(platform);
  await shop.product("CO-TEE", { priceMinor: 1999, stock: 10 });
  await shop.product("CO-MUG", { priceMinor: 1250, stock: 5, weightGrams: 400 });
  await shop.product("CO-DECL", { priceMinor: 4500, stock: 3 });
  await shop.product("CO-SAME", { priceMinor: 990, stock: 50 });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

/** A mutable view of an order through the customer's eyes. */
async function customerOrder(token: string, id: string): Promise<Json> {
  const res = await platform.request(`/api/v1/orders/${id}`, { token });
  expect(res.status).toBe(200);
  return json(res);
}

describe("checkout through the BFF", () => {
  it("takes a cart to a confirmed order, then shipped and delivered, with stock and money consistent", async () => {
    const customer = await shop.customer();
    const before = { tee: await shop.stock("CO-TEE"), mug: await shop.stock("CO-MUG") };
    await shop.addToCart(customer, "CO-TEE", 2);
    await shop.addToCart(customer, "CO-MUG", 1);

    const res = await shop.checkout(customer, { shippingMethod: "express" });
    const order = await json(res);
    expect(res.status, JSON.stringify(order)).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/orders/${order.id}`);
    expect(order).toMatchObject({
      customerId: customer.id,
      status: "confirmed",
      itemCount: 3,
      shippingMethod: "express",
      subtotal: { amountMinor: 2 * 1999 + 1250, currency: "EUR" },
      payment: { brand: "visa", last4: "4242" },
      failure: null,
    });
    expect(order.shippingTotal.amountMinor).toBeGreaterThan(0);
    expect(order.total.amountMinor).toBe(order.subtotal.amountMinor + order.shippingTotal.amountMinor);
    expect(order.shipment.trackingNumber).toBeTruthy();

    // The bought units left the warehouse: on hand is lower, nothing stays reserved.
    const after = { tee: await shop.stock("CO-TEE"), mug: await shop.stock("CO-MUG") };
    expect(after.tee).toEqual({
      onHand: before.tee.onHand - 2,
      reserved: 0,
      available: before.tee.available - 2,
    });
    expect(after.mug).toEqual({
      onHand: before.mug.onHand - 1,
      reserved: 0,
      available: before.mug.available - 1,
    });

    // The cart is empty after a confirmed order.
    const cart = await json(await platform.request("/api/v1/cart", { token: customer.token }));
    expect(cart.lines).toEqual([]);

    // One payment, captured for exactly the total; one shipment waiting for the carrier.
    const detail = await shop.adminOrder(order.id);
    expect(detail.payments.intents).toHaveLength(1);
    expect(detail.payments.intents[0]).toMatchObject({
      status: "captured",
      capturedAmount: order.total,
      refundedAmount: { amountMinor: 0, currency: "EUR" },
    });
    const captures = detail.payments.ledger.filter((entry: Json) => entry.kind === "capture");
    expect(captures.map((entry: Json) => entry.amount)).toEqual([order.total]);
    expect(detail.shipment).toMatchObject({
      status: "label_created",
      trackingNumber: order.shipment.trackingNumber,
      method: "express",
      address: { countryCode: "DE", postalCode: "10115" },
    });

    // The admin hands the parcel over; the carrier reports it delivered through its signed webhook.
    const shipped = await shop.adminPost(`/orders/${order.id}/mark-shipped`);
    expect(shipped.status).toBe(200);
    expect((await json(shipped)).status).toBe("shipped");
    const hook = await shop.carrierWebhook(
      order.shipment.trackingNumber,
      "delivered",
      CARRIER_WEBHOOK_SECRET,
    );
    expect(hook.status).toBe(200);
    const delivered = await waitFor(
      async () => {
        const current = await customerOrder(customer.token, order.id);
        return current.status === "delivered" && current;
      },
      { timeoutMs: 15_000, message: "the order to become delivered after the carrier's webhook" },
    );
    expect(delivered.history.map((entry: Json) => entry.to)).toEqual(
      expect.arrayContaining(["pending", "confirmed", "shipped", "delivered"]),
    );
    expect((await shop.adminOrder(order.id)).shipment.status).toBe("delivered");
  });

  it("fails a declined payment with PAYMENT_DECLINED and gives the stock back", async () => {
    const customer = await shop.customer();
    const before = await shop.stock("CO-DECL");
    const order = await shop.buy(customer, { "CO-DECL": 2 }, { paymentToken: "tok_sandbox_declined" });
    expect(order).toMatchObject({ status: "failed", failure: { code: "PAYMENT_DECLINED" } });
    expect(order.failure.reason).toBeTruthy();
    // Nothing held: availability is back to where it was, nothing was taken off the shelf.
    await waitFor(async () => {
      const now = await shop.stock("CO-DECL");
      return now.available === before.available && now.reserved === before.reserved && now;
    });
    expect((await shop.stock("CO-DECL")).onHand).toBe(before.onHand);
    // Nothing charged; the cart stays for another try.
    const detail = await shop.adminOrder(order.id);
    expect(detail.payments.ledger.filter((entry: Json) => entry.kind === "capture")).toEqual([]);
    const cart = await json(await platform.request("/api/v1/cart", { token: customer.token }));
    expect(cart.lines).toEqual([expect.objectContaining({ sku: "CO-DECL", quantity: 2 })]);
  });

  it("turns 20 concurrent checkouts with one Idempotency-Key into one order and one charge", async () => {
    const customer = await shop.customer();
    await shop.addToCart(customer, "CO-SAME", 3);
    const before = await shop.stock("CO-SAME");
    const key = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => shop.checkout(customer, { key })));
    const bodies = await Promise.all(answers.map((res) => json(res)));
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(201));
    const ids = new Set(bodies.map((body) => body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];

    const order = await waitFor(async () => {
      const current = await customerOrder(customer.token, id as string);
      return current.status === "confirmed" && current;
    });
    const detail = await shop.adminOrder(order.id);
    expect(detail.payments.intents).toHaveLength(1);
    expect(detail.payments.ledger.filter((entry: Json) => entry.kind === "capture")).toHaveLength(1);
    expect(detail.payments.intents[0].capturedAmount).toEqual(order.total);
    expect((await shop.stock("CO-SAME")).onHand).toBe(before.onHand - 3);

    const mine = await json(await platform.request("/api/v1/orders", { token: customer.token }));
    expect(mine.orders.map((o: Json) => o.id)).toEqual([order.id]);

    // A later retry with the same key is the same order, answered the same way.
    const replay = await shop.checkout(customer, { key });
    expect(replay.status).toBe(201);
    expect((await json(replay)).id).toBe(order.id);
    expect(replay.headers.get("location")).toBe(`/api/v1/orders/${order.id}`);
  });

  it("refuses the same Idempotency-Key with another body, and a missing key", async () => {
    const customer = await shop.customer();
    await shop.addToCart(customer, "CO-SAME", 1);
    const key = crypto.randomUUID();
    const first = await shop.checkout(customer, { key });
    expect(first.status).toBe(201);
    await shop.addToCart(customer, "CO-SAME", 1);
    const reused = await shop.checkout(customer, { key, shippingMethod: "express" });
    expect(reused.status).toBe(422);
    expect(reused.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(reused)).code).toBe("IDEMPOTENCY_KEY_REUSED");

    const missing = await shop.checkout(customer, { key: undefined });
    expect(missing.status).toBe(400);
    expect((await json(missing)).errors.map((e: Json) => e.field)).toEqual(["header.idempotency-key"]);
  });

  it("needs a signed-in customer", async () => {
    const res = await platform.request("/api/v1/checkout", {
      method: "POST",
      headers: { "idempotency-key": "anonymous-1" },
      json: {},
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("refuses an empty cart with 422 CART_NOT_PURCHASABLE", async () => {
    const customer = await shop.customer();
    const res = await shop.checkout(customer);
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe("CART_NOT_PURCHASABLE");
  });

  it("names bad input with 400 and refuses what the services refuse with 422, never 500", async () => {
    const customer = await shop.customer();
    await shop.addToCart(customer, "CO-SAME", 1);
    const bad = await shop.checkout(customer, {
      body: { shippingAddress: { recipient: "Ada" }, shippingMethod: "drone", paymentToken: "" },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field)).toEqual(
      expect.arrayContaining([
        "shippingAddress.line1",
        "shippingAddress.city",
        "shippingAddress.postalCode",
        "shippingAddress.countryCode",
        "shippingMethod",
        "paymentToken",
      ]),
    );
    // Two upper-case letters that name no country: the order service names the field (422).
    const nowhere = await shop.checkout(customer, {
      body: {
        shippingAddress: { ...SHIPPING_ADDRESS, countryCode: "ZZ" },
        shippingMethod: "standard",
        paymentToken: "tok_sandbox_visa",
      },
    });
    expect(nowhere.status).toBe(422);
    expect((await json(nowhere)).errors).toEqual([
      expect.objectContaining({ field: "shippingAddress.countryCode" }),
    ]);
    // Well-formed but unknown to the payment provider: refused by a service, not a crash.
    const unknownToken = await shop.checkout(customer, { paymentToken: "tok_nobody_knows" });
    expect(unknownToken.status).toBeLessThan(500);
    const body = await json(unknownToken);
    if (unknownToken.status === 201) expect(body.status).toBe("failed");
    else expect(unknownToken.status).toBe(422);
  });

  it("checks out on mobile too, pointing at the mobile order", async () => {
    const customer = await shop.customer();
    await shop.addToCart(customer, "CO-SAME", 2);
    const res = await shop.checkout(customer, { surface: "mobile" });
    const order = await json(res);
    expect(res.status).toBe(201);
    expect(order.status).toBe("confirmed");
    expect(res.headers.get("location")).toBe(`/mobile/v1/orders/${order.id}`);
    const tiles = await json(await platform.request("/mobile/v1/orders", { token: customer.token }));
    expect(tiles.orders).toEqual([
      {
        id: order.id,
        status: "confirmed",
        total: order.total,
        itemCount: 2,
        firstLineName: "Product CO-SAME",
        createTime: order.createTime,
      },
    ]);
  });
});
