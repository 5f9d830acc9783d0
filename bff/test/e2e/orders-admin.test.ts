import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { type Customer, openShop, type Shop } from "../support/orders.ts";
import { type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let shop: Shop;
let carol: Customer;
let dave: Customer;

beforeAll(async () => {
  platform = await startPlatform({ checkout: true });
  shop = await openShop(platform);
  await shop.product("AD-CHAIR", { priceMinor: 8900, stock: 20, weightGrams: 4000 });
  await shop.product("AD-SOCK", { priceMinor: 500, stock: 100, weightGrams: 50 });
  carol = await shop.customer();
  dave = await shop.customer();
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

function search(query: string) {
  return platform.request(`/admin/v1/orders${query}`, { token: shop.admin });
}

/** POST .../refund with `key` as the Idempotency-Key (null: without the header). */
function refund(orderId: string, body: Json, key: string | null = crypto.randomUUID()) {
  return shop.adminPost(`/orders/${orderId}/refund`, body, key === null ? {} : { "idempotency-key": key });
}

describe("admin order search", () => {
  it("finds orders by status, customer, total and placing time", async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const cheap = await shop.buy(carol, { "AD-SOCK": 1 });
    const dear = await shop.buy(carol, { "AD-CHAIR": 1 });
    const failed = await shop.buy(dave, { "AD-SOCK": 2 }, { paymentToken: "tok_sandbox_declined" });
    expect(failed.status).toBe("failed");
    const shipped = await shop.buy(dave, { "AD-SOCK": 3 });
    expect((await shop.adminPost(`/orders/${shipped.id}/mark-shipped`)).status).toBe(200);

    const ids = async (query: string) => {
      const res = await search(query);
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body.orders.map((o: Json) => o.id);
    };
    expect(await ids(`?customerId=${carol.id}`)).toEqual([dear.id, cheap.id]);
    expect(await ids(`?customerId=${dave.id}&status=failed`)).toEqual([failed.id]);
    expect(await ids(`?customerId=${dave.id}&status=failed,shipped`)).toEqual([shipped.id, failed.id]);
    expect(await ids(`?customerId=${dave.id}&status=failed&status=shipped`)).toEqual([shipped.id, failed.id]);
    expect(await ids(`?customerId=${carol.id}&minTotal=${dear.total.amountMinor}`)).toEqual([dear.id]);
    expect(await ids(`?customerId=${carol.id}&maxTotal=${cheap.total.amountMinor}`)).toEqual([cheap.id]);
    expect(await ids(`?customerId=${carol.id}&from=${encodeURIComponent(start)}`)).toHaveLength(2);
    expect(await ids(`?customerId=${carol.id}&to=${encodeURIComponent(start)}`)).toEqual([]);

    const page = await json(await search(`?customerId=${carol.id}&pageSize=1`));
    expect(page.orders).toHaveLength(1);
    const next = await json(
      await search(`?customerId=${carol.id}&pageSize=1&pageToken=${encodeURIComponent(page.nextPageToken)}`),
    );
    expect(next.orders.map((o: Json) => o.id)).toEqual([cheap.id]);
  });

  it("names an unknown status, a bad customer id and a bad time with 400", async () => {
    const res = await search("?status=lost&customerId=42&from=last-week");
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.errors.map((e: Json) => e.field).sort()).toEqual([
      "query.customerId",
      "query.from",
      "query.status",
    ]);
  });
});

describe("admin order detail and actions", () => {
  it("shows history, payments and shipment; an order that failed before shipping has none", async () => {
    const failed = await shop.buy(dave, { "AD-SOCK": 1 }, { paymentToken: "tok_sandbox_declined" });
    const detail = await shop.adminOrder(failed.id);
    expect(detail).toMatchObject({ id: failed.id, status: "failed", shipment: null });
    expect(detail.unavailable).toBeUndefined();
    expect(detail.history.at(-1)).toMatchObject({ to: "failed" });
    expect(detail.payments.intents.every((intent: Json) => intent.status === "failed")).toBe(true);
  });

  it("still shows the order when the payment service does not answer", async () => {
    const order = await shop.buy(carol, { "AD-SOCK": 1 });
    // A client of an address nothing listens on: payment is down for this BFF.
    const down = createRpcClient(PaymentService, { address: "127.0.0.1:1", maxAttempts: 1, timeoutMs: 500 });
    const res = await platform.requestWith({ payment: down })(`/admin/v1/orders/${order.id}`, {
      token: shop.admin,
    });
    down.close();
    expect(res.status).toBe(200);
    const detail = await json(res);
    expect(detail).toMatchObject({
      id: order.id,
      status: "confirmed",
      payments: null,
      unavailable: ["payments"],
    });
    expect(detail.shipment.status).toBe("label_created");
  });

  it("refunds in parts, never more than was captured, and once per Idempotency-Key", async () => {
    const order = await shop.buy(carol, { "AD-CHAIR": 1 });
    const total = order.total.amountMinor;

    const over = await refund(order.id, { amountMinor: total + 1, reason: "too generous" });
    expect(over.status).toBe(422);
    expect((await json(over)).code).toBe("REFUND_EXCEEDS_CAPTURED");

    const key = crypto.randomUUID();
    const part = await refund(order.id, { amountMinor: 1000, reason: "scratch" }, key);
    const partBody = await json(part);
    expect(part.status, JSON.stringify(partBody)).toBe(200);
    expect(partBody).toMatchObject({
      status: "partially_refunded",
      refundedTotal: { amountMinor: 1000, currency: "EUR" },
    });
    const retried = await refund(order.id, { amountMinor: 1000, reason: "scratch" }, key);
    expect(retried.status).toBe(200);
    expect((await json(retried)).refundedTotal.amountMinor).toBe(1000);

    const beyondRest = await refund(order.id, { amountMinor: total - 1000 + 1, reason: "rest and more" });
    expect(beyondRest.status).toBe(422);
    const rest = await refund(order.id, { reason: "the rest" });
    expect(rest.status).toBe(200);
    expect(await json(rest)).toMatchObject({ status: "refunded", refundedTotal: order.total });
    const nothingLeft = await refund(order.id, { amountMinor: 1, reason: "one more cent" });
    expect(nothingLeft.status).toBe(422);

    const detail = await shop.adminOrder(order.id);
    expect(detail.payments.refunds.map((r: Json) => r.amount.amountMinor)).toEqual([1000, total - 1000]);
    expect(detail.payments.intents[0]).toMatchObject({ status: "refunded", refundedAmount: order.total });
  });

  it("needs an Idempotency-Key and a reason to refund", async () => {
    const order = await shop.buy(carol, { "AD-SOCK": 1 });
    const noKey = await refund(order.id, { reason: "x" }, null);
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).errors.map((e: Json) => e.field)).toEqual(["header.idempotency-key"]);
    const noReason = await refund(order.id, { amountMinor: -5 });
    expect(noReason.status).toBe(400);
    expect((await json(noReason)).errors.map((e: Json) => e.field).sort()).toEqual(["amountMinor", "reason"]);
    // Nothing was refunded by either.
    expect((await shop.adminOrder(order.id)).refundedTotal.amountMinor).toBe(0);
  });

  it("cancels for the customer, and moves orders along only in the order's own sequence", async () => {
    const order = await shop.buy(dave, { "AD-SOCK": 4 });
    const early = await shop.adminPost(`/orders/${order.id}/mark-delivered`);
    expect(early.status).toBe(422);
    expect((await json(early)).code).toBe("INVALID_STATE");

    const cancelled = await shop.adminPost(`/orders/${order.id}/cancel`, { reason: "customer called" });
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ status: "cancelled", refundedTotal: order.total });
    const ship = await shop.adminPost(`/orders/${order.id}/mark-shipped`);
    expect(ship.status).toBe(422);

    const unknown = await shop.adminPost("/orders/0193a0c4-5b7e-7d2a-9c41-6f0e2b7d9a10/mark-shipped");
    expect(unknown.status).toBe(404);
    const badId = await shop.adminPost("/orders/nope/cancel");
    expect(badId.status).toBe(400);
    expect((await json(badId)).errors.map((e: Json) => e.field)).toEqual(["path.id"]);
  });
});
