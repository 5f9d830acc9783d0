import { OrderFailedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { type Order, OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { RpcError } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Code,
  type RunningOrder,
  startBlackHole,
  startFaultyShipping,
  startTestCheckout,
  type TestCheckout,
} from "./support.ts";

let t: TestCheckout;
const extra: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  t = await startTestCheckout();
  for (const sku of ["SOCK", "CAP", "BAG", "LAST"]) {
    await t.product(sku, { priceMinor: 1500n, stock: sku === "LAST" ? 3 : 100 });
  }
});

afterAll(async () => {
  for (const running of extra.reverse()) await running.stop().catch(() => undefined);
  await t?.stop();
});

/** Another order service on this platform, on its own schema, with `env` over the test defaults. */
async function orderWith(schema: string, env: Record<string, string>): Promise<RunningOrder> {
  const running = await t.startOrder({ DB_SCHEMA: schema, ...env });
  extra.push(running);
  return running;
}

async function paymentsOf(order: Order) {
  return (await t.payment.order.listOrderPayments({ orderId: order.id })).paymentIntents;
}

/** Nothing is held or charged: no reservation left active, no intent authorised or captured. */
async function expectNothingHeld(order: Order, sku: string, onHandBefore: bigint) {
  const stock = await t.stock(sku);
  expect(stock.onHand).toBe(onHandBefore);
  expect(stock.reserved).toBe(0n);
  for (const intent of await paymentsOf(order)) {
    expect([PaymentStatus.FAILED, PaymentStatus.VOIDED]).toContain(intent.status);
  }
}

describe("a checkout that fails compensates the steps it reached", () => {
  it("releases the stock when the card is declined", async () => {
    const ann = await t.customer();
    await t.fill(ann, [["SOCK", 2]]);
    const before = await t.stock("SOCK");
    const order = await t.place(ann, { paymentToken: "tok_sandbox_declined" });

    expect(order.status).toBe(OrderStatus.FAILED);
    expect(order.failureCode).toBe("PAYMENT_DECLINED");
    expect(order.failureReason).toContain("card_declined");
    await expectNothingHeld(order, "SOCK", before.onHand);
    const [intent] = await paymentsOf(order);
    expect(intent?.status).toBe(PaymentStatus.FAILED);
    const { history } = await t.client.getOrder({ orderId: order.id }, ann.auth);
    expect(history.at(-1)).toMatchObject({ fromStatus: OrderStatus.PENDING, toStatus: OrderStatus.FAILED });
    expect((await t.events(OrderFailedSchema, order.id))[0]?.order?.failureCode).toBe("PAYMENT_DECLINED");
  });

  it("says why for insufficient funds", async () => {
    const bob = await t.customer();
    await t.fill(bob, [["SOCK", 1]]);
    const order = await t.place(bob, { paymentToken: "tok_sandbox_insufficient_funds" });
    expect(order).toMatchObject({ status: OrderStatus.FAILED, failureCode: "PAYMENT_DECLINED" });
    expect(order.failureReason).toContain("insufficient_funds");
  });

  it("voids the payment when the shipment cannot be created (and releases the stock)", async () => {
    const faulty = await startFaultyShipping(t.shipping, {
      createShipment: () =>
        new RpcError("the carrier refuses parcels to this address", Code.FailedPrecondition),
    });
    extra.push(faulty);
    const order = await orderWith("order_ship_refused", { SHIPPING_ADDRESS: faulty.address });
    const cara = await t.customer();
    await t.fill(cara, [["CAP", 1]]);
    const before = await t.stock("CAP");
    const failed = await t.place(cara, {}, order.client);

    expect(failed, failed.failureReason).toMatchObject({
      status: OrderStatus.FAILED,
      failureCode: "SHIPPING_UNAVAILABLE",
    });
    const [intent] = await paymentsOf(failed);
    expect(intent?.status).toBe(PaymentStatus.VOIDED);
    expect(intent?.capturedAmount?.amountMinor ?? 0n).toBe(0n);
    await expectNothingHeld(failed, "CAP", before.onHand);
    expect(faulty.calls.get("cancelShipment")).toBeGreaterThanOrEqual(1);
  });

  it("gives up on a payment processor that stays down: DEPENDENCY_UNAVAILABLE, nothing held", async () => {
    const dan = await t.customer();
    await t.fill(dan, [["BAG", 1]]);
    const before = await t.stock("BAG");
    const order = await t.place(dan, { paymentToken: "tok_sandbox_processor_error" });

    expect(order).toMatchObject({ status: OrderStatus.FAILED, failureCode: "DEPENDENCY_UNAVAILABLE" });
    expect(order.failureReason).toContain("payment did not answer after 3 attempts");
    await expectNothingHeld(order, "BAG", before.onHand);
  });

  it("runs into the deadline of a shipping service that never answers, then fails with a reason", async () => {
    const hole = await startBlackHole();
    extra.push(hole);
    const order = await orderWith("order_blackhole", {
      SHIPPING_ADDRESS: hole.address,
      PEER_TIMEOUT_MS: "400",
      SAGA_LEASE_MS: "2000",
    });
    const eve = await t.customer();
    await t.fill(eve, [["BAG", 2]]);
    const before = await t.stock("BAG");
    const started = Date.now();
    const failed = await t.place(eve, {}, order.client);

    expect(failed).toMatchObject({ status: OrderStatus.FAILED, failureCode: "DEPENDENCY_UNAVAILABLE" });
    expect(failed.failureReason).toMatch(/shipping did not answer after \d+ attempts/);
    expect(failed.failureReason).toMatch(/DeadlineExceeded|Unavailable/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await expectNothingHeld(failed, "BAG", before.onHand);
    expect(await paymentsOf(failed)).toEqual([]);
  });

  it("keeps compensating while shipping is down, and voids the payment once it is back", async () => {
    let down = true;
    const outage = () => (down ? new RpcError("shipping is down", Code.Unavailable) : undefined);
    const faulty = await startFaultyShipping(t.shipping, { createShipment: outage, cancelShipment: outage });
    extra.push(faulty);
    const order = await orderWith("order_ship_down", {
      SHIPPING_ADDRESS: faulty.address,
      PLACE_ORDER_WAIT_MS: "2500",
    });
    const fay = await t.customer();
    await t.fill(fay, [["CAP", 1]]);
    const before = await t.stock("CAP");
    // The shipment cannot be created, and the compensation cannot cancel it either: the saga
    // keeps compensating (it never ends FAILED with something possibly held).
    const pending = await t.place(fay, {}, order.client);
    expect(pending.status).toBe(OrderStatus.PENDING);
    const saga = await order.app.store.read().sagas.byOrderId(pending.id);
    expect(saga).toMatchObject({
      status: "compensating",
      step: "cancel_shipment",
      failureCode: "DEPENDENCY_UNAVAILABLE",
    });

    down = false;
    const failed = await waitFor(
      async () => {
        const { order: current } = await order.client.getOrder({ orderId: pending.id }, fay.auth);
        return current?.status === OrderStatus.FAILED && current;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(failed.failureCode).toBe("DEPENDENCY_UNAVAILABLE");
    const [intent] = await paymentsOf(failed);
    expect(intent?.status).toBe(PaymentStatus.VOIDED);
    await expectNothingHeld(failed, "CAP", before.onHand);
  }, 40_000);
});

describe("the last units", () => {
  it("never oversells: of 8 concurrent checkouts for 3 units, 3 confirm and 5 fail OUT_OF_STOCK", async () => {
    const customers = await Promise.all(Array.from({ length: 8 }, () => t.customer()));
    for (const customer of customers) await t.fill(customer, [["LAST", 1]]);
    const orders = await Promise.all(customers.map((customer) => t.place(customer)));

    const confirmed = orders.filter((o) => o.status === OrderStatus.CONFIRMED);
    const failed = orders.filter((o) => o.status === OrderStatus.FAILED);
    expect(confirmed).toHaveLength(3);
    expect(failed).toHaveLength(5);
    for (const order of failed) {
      expect(order.failureCode).toBe("OUT_OF_STOCK");
      expect(order.failureReason).toContain("LAST");
      expect(await paymentsOf(order)).toEqual([]);
    }
    expect(await t.stock("LAST")).toEqual({ onHand: 0n, reserved: 0n, available: 0n });
    for (const order of confirmed) {
      const { shipment } = await t.shipping.order.getShipment({ orderId: order.id });
      expect(shipment?.status).toBe(ShipmentStatus.LABEL_CREATED);
    }
  });
});
