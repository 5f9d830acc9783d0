import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  OrderCancelledSchema,
  OrderDeliveredSchema,
  OrderRefundedSchema,
  OrderShippedSchema,
  ReturnRequestedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { type Order, OrderStatus, ReturnStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startTestCheckout, type TestCheckout, type TestCustomer } from "./support.ts";

let t: TestCheckout;

beforeAll(async () => {
  t = await startTestCheckout();
  await t.product("BOOT", { priceMinor: 5000n, stock: 100, weightGrams: 900 });
  await t.product("LACE", { priceMinor: 300n, stock: 100, weightGrams: 20 });
});

afterAll(async () => {
  await t?.stop();
});

async function confirmedOrder(
  customer: TestCustomer,
  items: [string, number][] = [["BOOT", 1]],
): Promise<Order> {
  await t.fill(customer, items);
  const order = await t.place(customer);
  expect(order.status).toBe(OrderStatus.CONFIRMED);
  return order;
}

async function statusOf(orderId: string): Promise<OrderStatus | undefined> {
  return (await t.client.getOrder({ orderId }, t.admin)).order?.status;
}

async function intentOf(order: Order) {
  return (await t.payment.order.getPaymentIntent({ paymentIntentId: order.paymentIntentId })).paymentIntent!;
}

describe("cancel", () => {
  it("cancels a confirmed order: shipment cancelled, stock back, payment refunded in full", async () => {
    const ann = await t.customer();
    const before = await t.stock("BOOT");
    const order = await confirmedOrder(ann, [["BOOT", 2]]);
    expect((await t.stock("BOOT")).onHand).toBe(before.onHand - 2n);

    const { order: cancelled } = await t.client.cancelOrder(
      { orderId: order.id, reason: "changed my mind" },
      ann.auth,
    );
    expect(cancelled).toMatchObject({ status: OrderStatus.CANCELLED });
    expect(cancelled!.refundedTotal!.amountMinor).toBe(order.total!.amountMinor);
    expect(await t.stock("BOOT")).toEqual(before);
    const intent = await intentOf(order);
    expect(intent.status).toBe(PaymentStatus.REFUNDED);
    expect(intent.refundedAmount?.amountMinor).toBe(order.total!.amountMinor);
    const { shipment } = await t.shipping.order.getShipment({ orderId: order.id });
    expect(shipment?.status).toBe(ShipmentStatus.CANCELLED);

    const { history } = await t.client.getOrder({ orderId: order.id }, ann.auth);
    expect(history.at(-1)).toMatchObject({
      fromStatus: OrderStatus.CONFIRMED,
      toStatus: OrderStatus.CANCELLED,
      actor: `user:${ann.userId}`,
      reason: "changed my mind",
    });
    expect(await t.events(OrderCancelledSchema, order.id)).toHaveLength(1);

    // Cancelling again answers the cancelled order and changes nothing.
    const { order: again } = await t.client.cancelOrder({ orderId: order.id }, ann.auth);
    expect(again).toMatchObject({ status: OrderStatus.CANCELLED, version: cancelled!.version });
    expect(await t.stock("BOOT")).toEqual(before);
    expect((await intentOf(order)).refundedAmount?.amountMinor).toBe(order.total!.amountMinor);
  });

  it("refuses to cancel an order that has shipped", async () => {
    const bob = await t.customer();
    const order = await confirmedOrder(bob);
    await t.client.markOrderShipped({ orderId: order.id }, t.admin);
    const refused = await failure(t.client.cancelOrder({ orderId: order.id }, bob.auth));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(errorReason(refused)).toBe("INVALID_STATE");
    expect(await statusOf(order.id)).toBe(OrderStatus.SHIPPED);
  });

  it("refuses when the carrier took the parcel before the order heard of it", async () => {
    const cy = await t.customer();
    const order = await confirmedOrder(cy);
    // The shipment moves on at shipping while the order still says CONFIRMED.
    await t.shipping.order.updateShipmentStatus({ orderId: order.id, status: ShipmentStatus.IN_TRANSIT });
    const refused = await failure(t.client.cancelOrder({ orderId: order.id }, cy.auth));
    expect(refused.code).toBe(Code.FailedPrecondition);
    const { order: kept } = await t.client.getOrder({ orderId: order.id }, cy.auth);
    expect([OrderStatus.CONFIRMED, OrderStatus.SHIPPED]).toContain(kept!.status);
    expect((await intentOf(order)).status).toBe(PaymentStatus.CAPTURED);
  });
});

describe("ownership", () => {
  it("never lets a customer read, cancel or return another customer's order: NOT_FOUND", async () => {
    const owner = await t.customer();
    const other = await t.customer();
    const order = await confirmedOrder(owner);
    const calls = [
      () => t.client.getOrder({ orderId: order.id }, other.auth),
      () => t.client.cancelOrder({ orderId: order.id }, other.auth),
      () => t.client.listReturns({ orderId: order.id }, other.auth),
      () => t.client.requestReturn({ orderId: order.id, lines: [{ sku: "BOOT", quantity: 1 }] }, other.auth),
    ];
    for (const call of calls) expect((await failure(call())).code).toBe(Code.NotFound);
    expect(await statusOf(order.id)).toBe(OrderStatus.CONFIRMED);
    const { orders } = await t.client.listMyOrders({}, other.auth);
    expect(orders).toEqual([]);
  });

  it("lets support read every order but not manage it", async () => {
    const owner = await t.customer();
    const order = await confirmedOrder(owner);
    const { order: read } = await t.client.getOrder({ orderId: order.id }, t.support);
    expect(read?.id).toBe(order.id);
    expect((await failure(t.client.cancelOrder({ orderId: order.id }, t.support))).code).toBe(
      Code.PermissionDenied,
    );
    expect(
      (await failure(t.client.refundOrder({ orderId: order.id, idempotencyKey: "k" }, t.support))).code,
    ).toBe(Code.PermissionDenied);
    expect((await failure(t.client.searchOrders({}, owner.auth))).code).toBe(Code.PermissionDenied);
  });
});

describe("shipping", () => {
  it("follows the carrier's events: SHIPPED, then DELIVERED, each once", async () => {
    const dee = await t.customer();
    const order = await confirmedOrder(dee);
    // The simulated carrier moves every parcel one status per tick; its events reach the order.
    await waitFor(
      async () => {
        await t.shipping.tick();
        return (await statusOf(order.id)) === OrderStatus.DELIVERED;
      },
      { timeoutMs: 20_000, intervalMs: 300, message: "the order delivered" },
    );
    // The history names who moved the parcel, as shipping recorded it: the carrier.
    const { history } = await t.client.getOrder({ orderId: order.id }, dee.auth);
    expect(history.slice(-2).map((h) => [h.toStatus, h.actor])).toEqual([
      [OrderStatus.SHIPPED, "carrier:simcarrier"],
      [OrderStatus.DELIVERED, "carrier:simcarrier"],
    ]);
    expect(await t.events(OrderShippedSchema, order.id)).toHaveLength(1);
    expect(await t.events(OrderDeliveredSchema, order.id)).toHaveLength(1);
    // Staff marking it again changes nothing.
    const { order: again } = await t.client.markOrderDelivered({ orderId: order.id }, t.admin);
    expect(again?.version).toBe((await t.client.getOrder({ orderId: order.id }, dee.auth)).order?.version);
  });

  it("lets staff mark an order shipped and delivered, recording who did", async () => {
    const eve = await t.customer();
    const order = await confirmedOrder(eve);
    const { order: shipped } = await t.client.markOrderShipped({ orderId: order.id }, t.admin);
    expect(shipped?.status).toBe(OrderStatus.SHIPPED);
    const { order: delivered } = await t.client.markOrderDelivered({ orderId: order.id }, t.admin);
    expect(delivered?.status).toBe(OrderStatus.DELIVERED);
    const { shipment } = await t.shipping.order.getShipment({ orderId: order.id });
    expect(shipment?.status).toBe(ShipmentStatus.DELIVERED);
    const { history } = await t.client.getOrder({ orderId: order.id }, eve.auth);
    expect(history.slice(-2).map((h) => h.actor)).toEqual([`user:${t.adminId}`, `user:${t.adminId}`]);
    // Delivering an order that has not shipped is an illegal transition.
    const fresh = await confirmedOrder(eve);
    const illegal = await failure(t.client.markOrderDelivered({ orderId: fresh.id }, t.admin));
    expect(errorReason(illegal)).toBe("INVALID_STATE");
  });
});

describe("refunds", () => {
  it("never refunds more than was captured; one refund per key", async () => {
    const fred = await t.customer();
    const order = await confirmedOrder(fred);
    const total = order.total!.amountMinor;
    const part = {
      orderId: order.id,
      idempotencyKey: "refund-1",
      amount: { amountMinor: 1000n, currency: "EUR" },
    };
    const { order: partly } = await t.client.refundOrder(part, t.admin);
    expect(partly).toMatchObject({ status: OrderStatus.PARTIALLY_REFUNDED });
    expect(partly!.refundedTotal!.amountMinor).toBe(1000n);
    const { order: repeated } = await t.client.refundOrder(part, t.admin);
    expect(repeated!.refundedTotal!.amountMinor).toBe(1000n);

    const tooMuch = await failure(
      t.client.refundOrder(
        { orderId: order.id, idempotencyKey: "refund-2", amount: { amountMinor: total, currency: "EUR" } },
        t.admin,
      ),
    );
    expect(tooMuch.code).toBe(Code.FailedPrecondition);
    expect(errorReason(tooMuch)).toBe("REFUND_EXCEEDS_CAPTURED");

    const { order: rest } = await t.client.refundOrder(
      { orderId: order.id, idempotencyKey: "refund-3" },
      t.admin,
    );
    expect(rest).toMatchObject({ status: OrderStatus.REFUNDED });
    expect(rest!.refundedTotal!.amountMinor).toBe(total);
    const intent = await intentOf(order);
    expect(intent.refundedAmount?.amountMinor).toBe(intent.capturedAmount?.amountMinor);

    const nothingLeft = await failure(
      t.client.refundOrder({ orderId: order.id, idempotencyKey: "refund-4" }, t.admin),
    );
    expect(nothingLeft.code).toBe(Code.FailedPrecondition);
    const events = await t.events(OrderRefundedSchema, order.id);
    expect(events.map((e) => e.amount?.amountMinor)).toEqual([1000n, total - 1000n]);
  });

  it("never lets concurrent refunds add up to more than the total", async () => {
    const gil = await t.customer();
    const order = await confirmedOrder(gil);
    const total = order.total!.amountMinor;
    const half = total / 2n + 1n;
    const outcomes = await Promise.allSettled(
      ["a", "b", "c"].map((key) =>
        t.client.refundOrder(
          { orderId: order.id, idempotencyKey: key, amount: { amountMinor: half, currency: "EUR" } },
          t.admin,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const { order: after } = await t.client.getOrder({ orderId: order.id }, t.admin);
    expect(after!.refundedTotal!.amountMinor).toBe(half);
    expect((await intentOf(order)).refundedAmount?.amountMinor).toBe(half);
  });

  it("names a refund in the wrong currency", async () => {
    const hal = await t.customer();
    const order = await confirmedOrder(hal);
    const bad = await failure(
      t.client.refundOrder(
        { orderId: order.id, idempotencyKey: "x", amount: { amountMinor: 1n, currency: "USD" } },
        t.admin,
      ),
    );
    expect(fieldViolations(bad).map((v) => v.field)).toEqual(["amount.currency"]);
  });
});

describe("returns", () => {
  it("requests, approves and receives a return: the unit prices of the returned units are refunded", async () => {
    const ida = await t.customer();
    const order = await confirmedOrder(ida, [
      ["BOOT", 2],
      ["LACE", 3],
    ]);
    expect(
      (
        await failure(
          t.client.requestReturn({ orderId: order.id, lines: [{ sku: "BOOT", quantity: 1 }] }, ida.auth),
        )
      ).code,
    ).toBe(Code.FailedPrecondition);
    await t.client.markOrderShipped({ orderId: order.id }, t.admin);
    await t.client.markOrderDelivered({ orderId: order.id }, t.admin);

    const tooMany = await failure(
      t.client.requestReturn({ orderId: order.id, lines: [{ sku: "BOOT", quantity: 3 }] }, ida.auth),
    );
    expect(fieldViolations(tooMany).map((v) => v.field)).toEqual(["lines[0].quantity"]);

    const { return: requested } = await t.client.requestReturn(
      {
        orderId: order.id,
        lines: [
          { sku: "BOOT", quantity: 1 },
          { sku: "LACE", quantity: 2 },
        ],
        reason: "too big",
      },
      ida.auth,
    );
    expect(requested).toMatchObject({ status: ReturnStatus.REQUESTED });
    expect(requested!.refundAmount!.amountMinor).toBe(5000n + 600n);
    expect(await t.events(ReturnRequestedSchema, order.id)).toHaveLength(1);

    const { return: approved } = await t.client.reviewReturn(
      { returnId: requested!.id, approve: true },
      t.admin,
    );
    expect(approved?.status).toBe(ReturnStatus.APPROVED);
    const { return: received, order: refunded } = await t.client.receiveReturn(
      { returnId: requested!.id },
      t.admin,
    );
    expect(received?.status).toBe(ReturnStatus.REFUNDED);
    expect(refunded).toMatchObject({ status: OrderStatus.PARTIALLY_REFUNDED });
    expect(refunded!.refundedTotal!.amountMinor).toBe(5600n);
    expect(refunded!.lines.map((l) => [l.sku, l.returnedQuantity])).toEqual([
      ["BOOT", 1],
      ["LACE", 2],
    ]);
    // Receiving it again refunds nothing more.
    const { order: again } = await t.client.receiveReturn({ returnId: requested!.id }, t.admin);
    expect(again!.refundedTotal!.amountMinor).toBe(5600n);
    expect((await intentOf(order)).refundedAmount?.amountMinor).toBe(5600n);

    // What is left to return: 1 BOOT and 1 LACE.
    const rest = await failure(
      t.client.requestReturn({ orderId: order.id, lines: [{ sku: "LACE", quantity: 2 }] }, ida.auth),
    );
    expect(rest.code).toBe(Code.InvalidArgument);
    const { returns } = await t.client.listReturns({ orderId: order.id }, ida.auth);
    expect(returns.map((r) => r.status)).toEqual([ReturnStatus.REFUNDED]);
  });

  it("rejects a return without refunding", async () => {
    const jo = await t.customer();
    const order = await confirmedOrder(jo);
    await t.client.markOrderShipped({ orderId: order.id }, t.admin);
    await t.client.markOrderDelivered({ orderId: order.id }, t.admin);
    const { return: requested } = await t.client.requestReturn(
      { orderId: order.id, lines: [{ sku: "BOOT", quantity: 1 }] },
      jo.auth,
    );
    await t.client.reviewReturn({ returnId: requested!.id, approve: false, note: "worn" }, t.admin);
    const refused = await failure(t.client.receiveReturn({ returnId: requested!.id }, t.admin));
    expect(errorReason(refused)).toBe("INVALID_STATE");
    expect(await statusOf(order.id)).toBe(OrderStatus.DELIVERED);
  });
});

describe("queries", () => {
  it("pages a customer's orders newest first", async () => {
    const kim = await t.customer();
    const placed: Order[] = [];
    for (let i = 0; i < 3; i++) placed.push(await confirmedOrder(kim, [["LACE", 1]]));
    const first = await t.client.listMyOrders({ pageSize: 2 }, kim.auth);
    expect(first.orders.map((o) => o.id)).toEqual([placed[2]!.id, placed[1]!.id]);
    expect(first.nextPageToken).not.toBe("");
    const second = await t.client.listMyOrders({ pageSize: 2, pageToken: first.nextPageToken }, kim.auth);
    expect(second.orders.map((o) => o.id)).toEqual([placed[0]!.id]);
    expect(second.nextPageToken).toBe("");
  });

  it("searches by status, customer, time and total for staff", async () => {
    const lou = await t.customer();
    const started = new Date();
    const small = await confirmedOrder(lou, [["LACE", 1]]);
    const big = await confirmedOrder(lou, [["BOOT", 3]]);
    await t.client.cancelOrder({ orderId: small.id }, lou.auth);

    const byCustomer = await t.client.searchOrders({ customerId: lou.userId }, t.support);
    expect(byCustomer.orders.map((o) => o.id)).toEqual([big.id, small.id]);
    const cancelled = await t.client.searchOrders(
      { customerId: lou.userId, statuses: [OrderStatus.CANCELLED] },
      t.support,
    );
    expect(cancelled.orders.map((o) => o.id)).toEqual([small.id]);
    const expensive = await t.client.searchOrders(
      { customerId: lou.userId, minTotalMinor: 10_000n, createTimeFrom: timestampFromDate(started) },
      t.admin,
    );
    expect(expensive.orders.map((o) => o.id)).toEqual([big.id]);
    const none = await t.client.searchOrders(
      { customerId: lou.userId, createTimeTo: timestampFromDate(started) },
      t.admin,
    );
    expect(none.orders).toEqual([]);
  });
});
