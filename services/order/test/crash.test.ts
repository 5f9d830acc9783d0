import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { LedgerEntryKind, PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type OrderProcess,
  spawnOrder,
  startTestCheckout,
  type TestCheckout,
  type TestCustomer,
} from "./support.ts";

/**
 * The order service is killed for real (SIGKILL, no shutdown) in the middle of a saga, at a step
 * chosen with the test hook ORDER_SAGA_PAUSE_AT, then started again: the new process's recovery
 * loop finds the unfinished saga once the dead one's lease expires and finishes or compensates it.
 */

let t: TestCheckout;
const processes: OrderProcess[] = [];
const LEASE = { SAGA_LEASE_MS: "4000" };

beforeAll(async () => {
  t = await startTestCheckout({ order: false });
  await t.product("CRASH", { priceMinor: 4200n, stock: 100 });
});

afterEach(async () => {
  for (const running of processes.splice(0)) await running.kill("SIGTERM");
});

afterAll(async () => {
  await t?.stop();
});

async function start(env: Record<string, string> = {}): Promise<OrderProcess> {
  const running = await spawnOrder(t.orderEnv({ ...LEASE, ...env }));
  processes.push(running);
  return running;
}

/** Places an order through `running` that pauses at `step`, and kills the process there. */
async function killAt(
  step: string,
  customer: TestCustomer,
  paymentToken = "tok_sandbox_visa",
): Promise<string> {
  const running = await start({ ORDER_SAGA_PAUSE_AT: step });
  const answer = t.place(customer, { paymentToken }, running.client).catch(() => undefined);
  const paused = await running.waitForLog((entry) => entry.msg === "saga paused" && entry.step === step);
  await running.kill("SIGKILL");
  await answer;
  return paused.orderId as string;
}

async function finished(running: OrderProcess, customer: TestCustomer, orderId: string) {
  return waitFor(
    async () => {
      const { order } = await running.client.getOrder({ orderId }, customer.auth);
      return order?.status !== OrderStatus.PENDING && order;
    },
    { timeoutMs: 30_000, intervalMs: 200, message: `order ${orderId} finished after the restart` },
  );
}

describe("a saga whose process is killed", () => {
  it("resumes after a restart when killed before capture, and charges once", async () => {
    const ann = await t.customer();
    await t.fill(ann, [["CRASH", 2]]);
    const before = await t.stock("CRASH");
    const orderId = await killAt("capture", ann);

    // Killed with the payment authorised and the shipment created, nothing captured or committed.
    const { paymentIntents } = await t.payment.order.listOrderPayments({ orderId });
    expect(paymentIntents.map((i) => i.status)).toEqual([PaymentStatus.AUTHORIZED]);
    expect((await t.shipping.order.getShipment({ orderId })).shipment?.status).toBe(
      ShipmentStatus.LABEL_CREATED,
    );
    expect((await t.stock("CRASH")).reserved).toBe(2n);

    const restarted = await start();
    const order = await finished(restarted, ann, orderId);
    expect(order.status).toBe(OrderStatus.CONFIRMED);
    const after = await t.payment.order.listOrderPayments({ orderId });
    expect(after.paymentIntents).toHaveLength(1);
    expect(after.paymentIntents[0]?.status).toBe(PaymentStatus.CAPTURED);
    expect(after.ledgerEntries.filter((e) => e.kind === LedgerEntryKind.CAPTURE)).toHaveLength(1);
    expect(await t.stock("CRASH")).toMatchObject({ onHand: before.onHand - 2n, reserved: 0n });
    expect(restarted.logs.some((entry) => entry.msg === "recovery resumed sagas")).toBe(true);
  });

  it("resumes when killed before authorising, and authorises once", async () => {
    const bob = await t.customer();
    await t.fill(bob, [["CRASH", 1]]);
    const orderId = await killAt("authorize", bob);
    expect((await t.payment.order.listOrderPayments({ orderId })).paymentIntents).toEqual([]);

    const restarted = await start();
    const order = await finished(restarted, bob, orderId);
    expect(order.status).toBe(OrderStatus.CONFIRMED);
    expect((await t.payment.order.listOrderPayments({ orderId })).paymentIntents).toHaveLength(1);
  });

  it("finishes the compensation when killed in the middle of it", async () => {
    const cy = await t.customer();
    await t.fill(cy, [["CRASH", 3]]);
    const before = await t.stock("CRASH");
    const orderId = await killAt("release_stock", cy, "tok_sandbox_declined");
    expect((await t.stock("CRASH")).reserved).toBe(before.reserved + 3n);

    const restarted = await start();
    const order = await finished(restarted, cy, orderId);
    expect(order).toMatchObject({ status: OrderStatus.FAILED, failureCode: "PAYMENT_DECLINED" });
    expect(await t.stock("CRASH")).toEqual(before);
  });
});
