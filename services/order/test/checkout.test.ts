import { OrderConfirmedSchema, OrderPlacedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { LedgerEntryKind, PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startTestCheckout, type TestCheckout } from "./support.ts";

let t: TestCheckout;

beforeAll(async () => {
  t = await startTestCheckout();
  await t.product("TEE-M", { priceMinor: 1999n, stock: 50, weightGrams: 200 });
  await t.product("MUG", { priceMinor: 899n, stock: 50, weightGrams: 400 });
});

afterAll(async () => {
  await t?.stop();
});

describe("PlaceOrder", () => {
  it("runs the whole saga: stock committed, payment captured, shipment created, CONFIRMED", async () => {
    const ann = await t.customer();
    await t.fill(ann, [
      ["TEE-M", 2],
      ["MUG", 1],
    ]);
    const before = await t.stock("TEE-M");
    const order = await t.place(ann);

    expect(order.status).toBe(OrderStatus.CONFIRMED);
    expect(order.customerId).toBe(ann.userId);
    expect(order.subtotal).toMatchObject({ amountMinor: 2n * 1999n + 899n, currency: "EUR" });
    expect(order.shippingTotal!.amountMinor).toBeGreaterThan(0n);
    expect(order.total!.amountMinor).toBe(order.subtotal!.amountMinor + order.shippingTotal!.amountMinor);
    expect(order.lines.map((l) => [l.sku, l.quantity, l.unitPrice?.amountMinor])).toEqual([
      ["TEE-M", 2, 1999n],
      ["MUG", 1, 899n],
    ]);
    expect(order).toMatchObject({ paymentBrand: "visa", paymentLast4: "4242", failureCode: "" });
    expect(order.shipmentId).not.toBe("");
    expect(order.trackingNumber).not.toBe("");

    const after = await t.stock("TEE-M");
    expect(after.onHand).toBe(before.onHand - 2n);
    expect(after.reserved).toBe(0n);

    const { paymentIntents, ledgerEntries } = await t.payment.order.listOrderPayments({ orderId: order.id });
    expect(paymentIntents).toHaveLength(1);
    expect(paymentIntents[0]).toMatchObject({ status: PaymentStatus.CAPTURED, id: order.paymentIntentId });
    expect(paymentIntents[0]!.capturedAmount?.amountMinor).toBe(order.total!.amountMinor);
    expect(ledgerEntries.filter((e) => e.kind === LedgerEntryKind.CAPTURE)).toHaveLength(1);

    const { shipment } = await t.shipping.order.getShipment({ orderId: order.id });
    expect(shipment).toMatchObject({ status: ShipmentStatus.LABEL_CREATED, id: order.shipmentId });

    const { history } = await t.client.getOrder({ orderId: order.id }, ann.auth);
    expect(history.map((h) => [h.fromStatus, h.toStatus, h.actor])).toEqual([
      [OrderStatus.UNSPECIFIED, OrderStatus.PENDING, `user:${ann.userId}`],
      [OrderStatus.PENDING, OrderStatus.CONFIRMED, "service:order"],
    ]);
    expect(await t.events(OrderPlacedSchema, order.id)).toHaveLength(1);
    expect((await t.events(OrderConfirmedSchema, order.id))[0]?.order?.status).toBe(OrderStatus.CONFIRMED);
  });

  it("answers the same order for the same key and request, and IDEMPOTENCY_KEY_REUSED for another request", async () => {
    const bob = await t.customer();
    await t.fill(bob, [["MUG", 1]]);
    const request = t.request();
    const { order: first } = await t.client.placeOrder(request, bob.auth);
    const { order: again } = await t.client.placeOrder(request, bob.auth);
    expect(again!.id).toBe(first!.id);
    expect(again!.status).toBe(OrderStatus.CONFIRMED);

    const reused = await failure(
      t.client.placeOrder({ ...request, shippingMethod: 2 /* EXPRESS */ }, bob.auth),
    );
    expect(reused.code).toBe(Code.FailedPrecondition);
    expect(errorReason(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
    // Another customer's same key is theirs alone.
    const carl = await t.customer();
    await t.fill(carl, [["MUG", 1]]);
    const { order: carls } = await t.client.placeOrder(request, carl.auth);
    expect(carls!.id).not.toBe(first!.id);
  });

  it("makes one order and one charge of 20 concurrent requests with the same key", async () => {
    const dan = await t.customer();
    await t.fill(dan, [["TEE-M", 1]]);
    const before = await t.stock("TEE-M");
    const request = t.request();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.client.placeOrder(request, dan.auth)),
    );
    const ids = new Set(answers.map((a) => a.order!.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];
    for (const answer of answers) expect(answer.order!.status).toBe(OrderStatus.CONFIRMED);
    const { paymentIntents, ledgerEntries } = await t.payment.order.listOrderPayments({ orderId: orderId! });
    expect(paymentIntents).toHaveLength(1);
    expect(ledgerEntries.filter((e) => e.kind === LedgerEntryKind.CAPTURE)).toHaveLength(1);
    expect((await t.stock("TEE-M")).onHand).toBe(before.onHand - 1n);
    const { orders } = await t.client.listMyOrders({}, dan.auth);
    expect(orders).toHaveLength(1);
  });

  it("makes one order and one charge when two replicas get the same key at once", async () => {
    const [first, second] = [
      await t.startOrder({ DB_SCHEMA: "order_replicas" }),
      await t.startOrder({ DB_SCHEMA: "order_replicas" }),
    ];
    try {
      const fay = await t.customer();
      await t.fill(fay, [["MUG", 1]]);
      const request = t.request();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? first! : second!).client.placeOrder(request, fay.auth)),
      );
      const ids = new Set(answers.map((a) => a.order!.id));
      expect(ids.size).toBe(1);
      for (const answer of answers) expect(answer.order!.status).toBe(OrderStatus.CONFIRMED);
      const { paymentIntents, ledgerEntries } = await t.payment.order.listOrderPayments({
        orderId: [...ids][0]!,
      });
      expect(paymentIntents).toHaveLength(1);
      expect(ledgerEntries.filter((e) => e.kind === LedgerEntryKind.CAPTURE)).toHaveLength(1);
    } finally {
      await first?.stop();
      await second?.stop();
    }
  });

  it("refuses an empty cart with CART_NOT_PURCHASABLE and names bad fields", async () => {
    const eve = await t.customer();
    const empty = await failure(t.client.placeOrder(t.request(), eve.auth));
    expect(empty.code).toBe(Code.FailedPrecondition);
    expect(errorReason(empty)).toBe("CART_NOT_PURCHASABLE");

    const bad = await failure(
      t.client.placeOrder({ ...t.request(), idempotencyKey: "", paymentToken: "" }, eve.auth),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(bad).map((v) => v.field)).toEqual(["idempotencyKey", "paymentToken"]);
  });

  it("needs a signed-in customer", async () => {
    const anonymous = await failure(t.client.placeOrder(t.request()));
    expect(anonymous.code).toBe(Code.Unauthenticated);
  });
});
