import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  applyShippingPrice,
  cancelOrder,
  canTransition,
  checkCancellable,
  checkRefund,
  confirmOrder,
  failOrder,
  markDelivered,
  markShipped,
  ORDER_STATUSES,
  type Order,
  placeOrder,
  refundOrder,
  type OrderStatus as Status,
  TRANSITIONS,
} from "./order.ts";
import { line, pendingOrder, T0 } from "./test-fixtures.ts";

const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const staff = { actor: "user:staff", reason: "by hand" };

function confirmed(): Order {
  return confirmOrder(applyShippingPrice(pendingOrder(), 490n, T0), later(1)).order;
}

function error(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (isDomainError(e)) return e;
    throw e;
  }
  throw new Error("expected a domain error");
}

describe("placing an order", () => {
  it("prices the lines, starts PENDING and records who started it", () => {
    const change = placeOrder(
      {
        ...pendingOrder(),
        lines: [line("A", 3, 1250n)],
      },
      T0,
    );
    expect(change.order).toMatchObject({ status: "pending", subtotal: 3750n, total: 3750n, version: 1 });
    expect(change.history).toEqual([
      expect.objectContaining({
        fromStatus: undefined,
        toStatus: "pending",
        actor: `user:${change.order.customerId}`,
      }),
    ]);
    expect(change.events.map((e) => e.type.name)).toEqual(["OrderPlaced"]);
  });

  it("adds the shipping price to the total while pending, and only then", () => {
    const quoted = applyShippingPrice(pendingOrder(), 490n, T0);
    expect(quoted).toMatchObject({ subtotal: 2500n, shippingTotal: 490n, total: 2990n, version: 2 });
    expect(error(() => applyShippingPrice(confirmed(), 1n, T0)).reason).toBe("INVALID_STATE");
  });
});

describe("the state machine", () => {
  it("allows exactly the transitions of order.proto", () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "pending>confirmed",
        "pending>failed",
        "confirmed>shipped",
        "confirmed>cancelled",
        "confirmed>partially_refunded",
        "confirmed>refunded",
        "shipped>delivered",
        "shipped>partially_refunded",
        "shipped>refunded",
        "delivered>partially_refunded",
        "delivered>refunded",
        "partially_refunded>partially_refunded",
        "partially_refunded>refunded",
      ].sort(),
    );
    for (const terminal of ["cancelled", "failed", "refunded"] as Status[])
      expect(TRANSITIONS[terminal]).toEqual([]);
  });

  it("rejects an illegal transition with INVALID_STATE and changes nothing", () => {
    const order = pendingOrder();
    expect(error(() => markShipped(order, staff, T0))).toMatchObject({
      kind: "failed_precondition",
      reason: "INVALID_STATE",
    });
    const failed = failOrder(order, { code: "OUT_OF_STOCK", reason: "none left" }, T0).order;
    expect(error(() => confirmOrder(failed, T0)).reason).toBe("INVALID_STATE");
    expect(order.status).toBe("pending");
  });

  it("records every transition in the history with actor and reason, and raises the version", () => {
    const order = confirmed();
    const shipped = markShipped(order, { actor: "service:shipping", reason: "picked up" }, later(2));
    expect(shipped.order).toMatchObject({ status: "shipped", version: order.version + 1 });
    expect(shipped.history).toEqual([
      {
        orderId: order.id,
        fromStatus: "confirmed",
        toStatus: "shipped",
        actor: "service:shipping",
        reason: "picked up",
        createTime: later(2),
      },
    ]);
    expect(shipped.events.map((e) => e.type.name)).toEqual(["OrderShipped"]);
  });

  it("fails an order with its code and reason", () => {
    const failed = failOrder(pendingOrder(), { code: "PAYMENT_DECLINED", reason: "card declined" }, T0);
    expect(failed.order).toMatchObject({ status: "failed", failureCode: "PAYMENT_DECLINED" });
    expect(failed.events[0]?.type.name).toBe("OrderFailed");
    const data = failed.events[0]?.data as { order?: { status: number } } | undefined;
    expect(data?.order?.status).toBe(OrderStatus.FAILED);
  });

  it("treats a repeated shipped or delivered report as a no-op", () => {
    const shipped = markShipped(confirmed(), staff, later(2)).order;
    const again = markShipped(shipped, staff, later(3));
    expect(again.order).toBe(shipped);
    expect(again.history).toEqual([]);
    const delivered = markDelivered(shipped, staff, later(4)).order;
    expect(markDelivered(delivered, staff, later(5)).events).toEqual([]);
    expect(markShipped(delivered, staff, later(5)).events).toEqual([]);
  });

  it("passes through SHIPPED when a delivery is reported for a confirmed order", () => {
    const change = markDelivered(confirmed(), staff, later(2));
    expect(change.order.status).toBe("delivered");
    expect(change.history.map((h) => `${h.fromStatus}>${h.toStatus}`)).toEqual([
      "confirmed>shipped",
      "shipped>delivered",
    ]);
  });

  it("records shipping and delivery of an order refunded in part without leaving PARTIALLY_REFUNDED", () => {
    const partly = refundOrder(confirmed(), { amount: 100n, ...staff }, later(2)).order;
    const shipped = markShipped(partly, staff, later(3));
    expect(shipped.order).toMatchObject({ status: "partially_refunded", shipTime: later(3) });
    expect(shipped.events.map((e) => e.type.name)).toEqual(["OrderShipped"]);
    const delivered = markDelivered(shipped.order, staff, later(4)).order;
    expect(delivered).toMatchObject({ status: "partially_refunded", deliverTime: later(4) });
    expect(
      error(() => markShipped(failOrder(pendingOrder(), { code: "X", reason: "" }, T0).order, staff, T0))
        .reason,
    ).toBe("INVALID_STATE");
  });
});

describe("cancel", () => {
  it("cancels a confirmed order, refunding it, and only before it ships", () => {
    const order = confirmed();
    expect(() => checkCancellable(order)).not.toThrow();
    const change = cancelOrder(order, { actor: "user:c1", reason: "changed my mind" }, order.total, later(2));
    expect(change.order).toMatchObject({ status: "cancelled", refundedTotal: order.total });
    expect(change.events.map((e) => e.type.name)).toEqual(["OrderRefunded", "OrderCancelled"]);
    const shipped = markShipped(order, staff, later(2)).order;
    expect(error(() => checkCancellable(shipped)).reason).toBe("INVALID_STATE");
    expect(error(() => checkCancellable(pendingOrder())).reason).toBe("INVALID_STATE");
  });
});

describe("refunds", () => {
  it("never refunds more than was charged and not yet refunded", () => {
    const order = confirmed();
    expect(order.total).toBe(2990n);
    const part = refundOrder(order, { amount: 1000n, ...staff }, later(2));
    expect(part.order).toMatchObject({ status: "partially_refunded", refundedTotal: 1000n });
    expect(error(() => checkRefund(part.order, 1991n)).reason).toBe("REFUND_EXCEEDS_CAPTURED");
    expect(error(() => checkRefund(part.order, 1000n, 991n)).reason).toBe("REFUND_EXCEEDS_CAPTURED");
    expect(error(() => checkRefund(part.order, 0n)).reason).toBe("REFUND_EXCEEDS_CAPTURED");
    const rest = refundOrder(part.order, { amount: 1990n, ...staff }, later(3));
    expect(rest.order).toMatchObject({ status: "refunded", refundedTotal: 2990n });
    expect(error(() => checkRefund(rest.order, 1n)).reason).toBe("INVALID_STATE");
  });

  it("refuses refunds of orders that took no money", () => {
    expect(error(() => checkRefund(pendingOrder(), 1n)).reason).toBe("INVALID_STATE");
  });

  it("counts returned units on their lines", () => {
    const change = refundOrder(
      confirmed(),
      { amount: 1000n, ...staff, returned: [{ sku: "A", quantity: 1 }] },
      T0,
    );
    expect(change.order.lines.map((l) => [l.sku, l.returnedQuantity])).toEqual([
      ["A", 1],
      ["B", 0],
    ]);
  });
});
