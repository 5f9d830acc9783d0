import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { type Customer, openShop, type Shop } from "../support/orders.ts";
import { type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let shop: Shop;
let alice: Customer;
let bob: Customer;

beforeAll(async () => {
  platform = await startPlatform({ checkout: true });
  shop = await openShop(platform);
  await shop.product("OR-BOOK", { priceMinor: 2500, stock: 20 });
  await shop.product("OR-PEN", { priceMinor: 300, stock: 40, weightGrams: 20 });
  await shop.product("OR-LAMP", { priceMinor: 4900, stock: 10, weightGrams: 900 });
  alice = await shop.customer();
  bob = await shop.customer();
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

function get(path: string, customer: Customer) {
  return platform.request(path, { token: customer.token });
}

function post(path: string, customer: Customer, body?: Json) {
  return platform.request(path, { method: "POST", token: customer.token, ...(body ? { json: body } : {}) });
}

/** Buys, then ships and delivers as the admin: a DELIVERED order ready for returns. */
async function deliveredOrder(customer: Customer, items: Record<string, number>): Promise<Json> {
  const order = await shop.buy(customer, items);
  expect(order.status).toBe("confirmed");
  expect((await shop.adminPost(`/orders/${order.id}/mark-shipped`)).status).toBe(200);
  const delivered = await shop.adminPost(`/orders/${order.id}/mark-delivered`);
  expect(delivered.status).toBe(200);
  expect((await json(delivered)).status).toBe("delivered");
  return order;
}

describe("a customer's orders", () => {
  it("lists their own orders newest first, paged, and shows one with its history", async () => {
    const first = await shop.buy(alice, { "OR-PEN": 1 });
    const second = await shop.buy(alice, { "OR-PEN": 2 });
    await shop.buy(bob, { "OR-PEN": 1 });

    const page1 = await json(await get("/api/v1/orders?pageSize=1", alice));
    expect(page1.orders.map((o: Json) => o.id)).toEqual([second.id]);
    expect(page1.nextPageToken).toBeTruthy();
    const page2 = await json(
      await get(`/api/v1/orders?pageSize=1&pageToken=${encodeURIComponent(page1.nextPageToken)}`, alice),
    );
    expect(page2.orders.map((o: Json) => o.id)).toEqual([first.id]);

    const detail = await json(await get(`/api/v1/orders/${second.id}`, alice));
    expect(detail).toMatchObject({ id: second.id, status: "confirmed", itemCount: 2, customerId: alice.id });
    expect(detail.history[0]).toMatchObject({ from: null, to: "pending" });
    expect(detail.history.at(-1)).toMatchObject({ to: "confirmed" });

    const mobile = await json(await get(`/mobile/v1/orders/${second.id}`, alice));
    expect(mobile.id).toBe(second.id);
  });

  it("hides another customer's order: reading, cancelling and returning it are 404", async () => {
    const order = await shop.buy(alice, { "OR-PEN": 1 });
    expect((await get(`/api/v1/orders/${order.id}`, bob)).status).toBe(404);
    expect((await get(`/mobile/v1/orders/${order.id}`, bob)).status).toBe(404);
    expect((await get(`/api/v1/orders/${order.id}/returns`, bob)).status).toBe(404);
    const cancel = await post(`/api/v1/orders/${order.id}/cancel`, bob, { reason: "not mine" });
    expect(cancel.status).toBe(404);
    expect((await json(cancel)).code).toBe("NOT_FOUND");
    const returned = await post(`/api/v1/orders/${order.id}/returns`, bob, {
      lines: [{ sku: "OR-PEN", quantity: 1 }],
      reason: "not mine",
    });
    expect(returned.status).toBe(404);
    // ...and it is untouched.
    expect((await json(await get(`/api/v1/orders/${order.id}`, alice))).status).toBe("confirmed");
  });

  it("keeps customers out of the admin order routes", async () => {
    const order = await shop.buy(alice, { "OR-PEN": 1 });
    expect((await get("/admin/v1/orders", alice)).status).toBe(403);
    expect((await get(`/admin/v1/orders/${order.id}`, alice)).status).toBe(403);
    const refund = await platform.request(`/admin/v1/orders/${order.id}/refund`, {
      method: "POST",
      token: alice.token,
      headers: { "idempotency-key": "self-refund" },
      json: { reason: "free money" },
    });
    expect(refund.status).toBe(403);
    expect((await post(`/admin/v1/orders/${order.id}/mark-shipped`, alice)).status).toBe(403);
  });
});

describe("cancelling", () => {
  it("cancels an order before shipping: stock back, payment refunded in full", async () => {
    const before = await shop.stock("OR-LAMP");
    const order = await shop.buy(alice, { "OR-LAMP": 2 });
    expect((await shop.stock("OR-LAMP")).onHand).toBe(before.onHand - 2);

    const res = await post(`/api/v1/orders/${order.id}/cancel`, alice, { reason: "changed my mind" });
    const cancelled = await json(res);
    expect(res.status, JSON.stringify(cancelled)).toBe(200);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.refundedTotal).toEqual(order.total);

    await waitFor(async () => (await shop.stock("OR-LAMP")).available === before.available, {
      message: "the lamps back in stock",
    });
    const detail = await shop.adminOrder(order.id);
    expect(detail.payments.intents[0]).toMatchObject({ status: "refunded", refundedAmount: order.total });
    expect(detail.payments.refunds.map((r: Json) => r.amount)).toEqual([order.total]);
    expect(detail.shipment?.status ?? "cancelled").toBe("cancelled");

    // Cancelling again answers the cancelled order; nothing is refunded twice.
    const again = await post(`/api/v1/orders/${order.id}/cancel`, alice);
    expect(again.status).toBe(200);
    expect((await json(again)).refundedTotal).toEqual(order.total);
    expect((await shop.adminOrder(order.id)).payments.refunds).toHaveLength(1);
  });

  it("refuses to cancel a shipped order with 422 INVALID_STATE", async () => {
    const order = await shop.buy(alice, { "OR-PEN": 1 });
    expect((await shop.adminPost(`/orders/${order.id}/mark-shipped`)).status).toBe(200);
    const res = await post(`/api/v1/orders/${order.id}/cancel`, alice);
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe("INVALID_STATE");
  });
});

describe("returns", () => {
  it("requests, approves and receives returns: partially refunded, then refunded", async () => {
    const order = await deliveredOrder(alice, { "OR-BOOK": 2, "OR-PEN": 1 });

    const requested = await post(`/api/v1/orders/${order.id}/returns`, alice, {
      lines: [{ sku: "OR-BOOK", quantity: 1 }],
      reason: "damaged cover",
    });
    const first = await json(requested);
    expect(requested.status, JSON.stringify(first)).toBe(201);
    expect(first).toMatchObject({
      orderId: order.id,
      status: "requested",
      lines: [{ sku: "OR-BOOK", quantity: 1 }],
      reason: "damaged cover",
    });

    const approved = await shop.adminPost(`/returns/${first.id}/review`, { approve: true, note: "ok" });
    expect(approved.status).toBe(200);
    expect((await json(approved)).status).toBe("approved");

    const received = await shop.adminPost(`/returns/${first.id}/receive`);
    const receipt = await json(received);
    expect(received.status, JSON.stringify(receipt)).toBe(200);
    expect(receipt.return).toMatchObject({
      status: "refunded",
      refundAmount: { amountMinor: 2500, currency: "EUR" },
    });
    expect(receipt.order).toMatchObject({
      status: "partially_refunded",
      refundedTotal: { amountMinor: 2500, currency: "EUR" },
    });
    expect(receipt.order.lines.find((line: Json) => line.sku === "OR-BOOK").returnedQuantity).toBe(1);

    // More than is left to return is refused.
    const tooMany = await post(`/api/v1/orders/${order.id}/returns`, alice, {
      lines: [{ sku: "OR-BOOK", quantity: 2 }],
      reason: "both",
    });
    expect(tooMany.status).toBe(422);

    // The rest of the goods come back too.
    const rest = await json(
      await post(`/api/v1/orders/${order.id}/returns`, alice, {
        lines: [
          { sku: "OR-BOOK", quantity: 1 },
          { sku: "OR-PEN", quantity: 1 },
        ],
        reason: "do not need them",
      }),
    );
    expect((await shop.adminPost(`/returns/${rest.id}/review`, { approve: true })).status).toBe(200);
    const last = await json(await shop.adminPost(`/returns/${rest.id}/receive`));
    expect(last.return.refundAmount).toEqual({ amountMinor: 2500 + 300, currency: "EUR" });
    expect(last.order.refundedTotal.amountMinor).toBe(2500 + 2500 + 300);
    expect(last.order.refundedTotal.amountMinor).toBeLessThanOrEqual(order.total.amountMinor);

    const listed = await json(await get(`/api/v1/orders/${order.id}/returns`, alice));
    expect(listed.returns.map((r: Json) => r.status)).toEqual(["refunded", "refunded"]);
    const detail = await shop.adminOrder(order.id);
    const refunded = detail.payments.refunds.reduce((sum: number, r: Json) => sum + r.amount.amountMinor, 0);
    expect(refunded).toBe(last.order.refundedTotal.amountMinor);
  });

  it("rejects a return on review, refunding nothing", async () => {
    const order = await deliveredOrder(bob, { "OR-PEN": 2 });
    const request = await json(
      await post(`/api/v1/orders/${order.id}/returns`, bob, {
        lines: [{ sku: "OR-PEN", quantity: 1 }],
        reason: "meh",
      }),
    );
    const rejected = await shop.adminPost(`/returns/${request.id}/review`, { approve: false, note: "used" });
    expect((await json(rejected)).status).toBe("rejected");
    const receive = await shop.adminPost(`/returns/${request.id}/receive`);
    expect(receive.status).toBe(422);
    expect((await json(await get(`/api/v1/orders/${order.id}`, bob))).refundedTotal.amountMinor).toBe(0);
  });

  it("refuses a return of an order that was not delivered, and names bad lines", async () => {
    const order = await shop.buy(alice, { "OR-PEN": 1 });
    const early = await post(`/api/v1/orders/${order.id}/returns`, alice, {
      lines: [{ sku: "OR-PEN", quantity: 1 }],
      reason: "too early",
    });
    expect(early.status).toBe(422);
    const bad = await post(`/api/v1/orders/${order.id}/returns`, alice, { lines: [], reason: "" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field).sort()).toEqual(["lines", "reason"]);
  });
});
