import { setTimeout as sleep } from "node:timers/promises";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { NatsConnection } from "@nats-io/transport-node";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { createEventPublisher, type EventPublisher } from "@shopmesh/kit/events";
import { connectTestNats, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeOrdered } from "../src/domain/ordered.ts";
import { ORDER_CONSUMER } from "../src/order-events.ts";
import {
  type SignedIn,
  startCart,
  startIdentity,
  startPeers,
  type TestCart,
  type TestIdentity,
  type TestPeers,
} from "./support.ts";

let identity: TestIdentity;
let peers: TestPeers;
let cart: TestCart;
let nats: NatsConnection;
let orders: EventPublisher;

beforeAll(async () => {
  [identity, peers, nats] = await Promise.all([startIdentity(), startPeers(), connectTestNats()]);
  cart = await startCart({ peers, identityAddress: identity.address });
  for (const sku of ["TEE", "MUG", "CAP"]) peers.put(sku, 1000n);
  // The order service's stream, as its outbox relay publishes to it.
  orders = createEventPublisher({ nats, context: "order", prefix: cart.eventsPrefix });
}, 60_000);

afterAll(async () => {
  orders?.close();
  await cart?.stop();
  await peers?.stop();
  await identity?.stop();
  await nats?.close();
});

const lines = (c: { lines: { sku: string; quantity: number }[] } | undefined) =>
  c?.lines.map((line) => [line.sku, line.quantity]);

/** OrderConfirmed events the cart's consumer has handled (processed, not failed), so far. */
async function handled(): Promise<number> {
  const metric = await cart.app.metrics.registry.getSingleMetric("events_consumed_total")?.get();
  return (metric?.values ?? [])
    .filter(
      (value) =>
        value.labels.consumer === ORDER_CONSUMER &&
        value.labels.type === OrderConfirmedSchema.typeName &&
        value.labels.outcome === "processed",
    )
    .reduce((sum, value) => sum + value.value, 0);
}

interface ConfirmedInit {
  orderId?: string;
  customerId: string;
  items: [string, number][];
  /** The order's create time; default now. */
  placed?: Date;
  /** ce-time of the event; default now. */
  time?: Date;
}

/**
 * Publishes an OrderConfirmed as order's relay would (a fresh event id each time: a re-published
 * event is a new message to JetStream) and waits until the cart's consumer handled it.
 */
async function confirm(init: ConfirmedInit): Promise<string> {
  const orderId = init.orderId ?? crypto.randomUUID();
  const before = await handled();
  await orders.publish({
    schema: OrderConfirmedSchema,
    aggregateId: orderId,
    ...(init.time ? { time: init.time } : {}),
    data: {
      order: {
        id: orderId,
        customerId: init.customerId,
        status: OrderStatus.CONFIRMED,
        lines: init.items.map(([sku, quantity]) => ({ sku, quantity })),
        createTime: timestampFromDate(init.placed ?? new Date()),
      },
    },
  });
  await waitFor(async () => (await handled()) > before, {
    timeoutMs: 10_000,
    message: `OrderConfirmed of ${orderId} handled`,
  });
  return orderId;
}

async function fill(user: SignedIn, items: [string, number][]): Promise<void> {
  for (const [sku, quantity] of items) await cart.client.addItem({ sku, quantity }, user.auth);
}

async function cartOf(user: SignedIn) {
  return lines((await cart.client.getCart({}, user.auth)).cart);
}

describe("OrderConfirmed", () => {
  it("takes the ordered quantities out of the customer's cart, removing lines that reach 0", async () => {
    const ann = await identity.signUp("ann@order-confirmed.test");
    await fill(ann, [
      ["TEE", 3],
      ["MUG", 1],
      ["CAP", 2],
    ]);
    await confirm({
      customerId: ann.userId,
      items: [
        ["TEE", 2],
        ["MUG", 1],
      ],
    });
    expect(await cartOf(ann)).toEqual([
      ["TEE", 1],
      ["CAP", 2],
    ]);
  });

  it("changes nothing more when the same order's confirmation comes again", async () => {
    const bob = await identity.signUp("bob@order-confirmed.test");
    await fill(bob, [["TEE", 5]]);
    const orderId = await confirm({ customerId: bob.userId, items: [["TEE", 2]] });
    expect(await cartOf(bob)).toEqual([["TEE", 3]]);

    await confirm({ orderId, customerId: bob.userId, items: [["TEE", 2]] });
    expect(await cartOf(bob)).toEqual([["TEE", 3]]);
    expect(await cart.keys()).toContain(`done:order-confirmed:${orderId}`);
    // A marker is kept for days, not forever.
    const ttl = await cart.redis.ttl(`${cart.prefix}done:order-confirmed:${orderId}`);
    expect(ttl).toBeGreaterThan(6 * 86_400);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400);
  });

  it("applies one order once even when deliveries race (two replicas)", async () => {
    const cy = await identity.signUp("cy@order-confirmed.test");
    await fill(cy, [["MUG", 9]]);
    const placed = new Date();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        cart.app.store.updateOnce(
          { kind: "user", userId: cy.userId },
          "order-confirmed:race",
          (current) => removeOrdered(current, [{ sku: "MUG", quantity: 4 }], placed, new Date()),
          60,
        ),
      ),
    );
    expect(results.filter((result) => result.applied)).toHaveLength(1);
    expect(await cartOf(cy)).toEqual([["MUG", 5]]);
  });

  it("leaves what was added after the order was placed", async () => {
    const dee = await identity.signUp("dee@order-confirmed.test");
    await fill(dee, [["TEE", 2]]);
    const placed = new Date();
    await sleep(5);
    // While the payment is being confirmed: one more TEE, and a MUG.
    await fill(dee, [
      ["TEE", 1],
      ["MUG", 1],
    ]);
    await confirm({
      customerId: dee.userId,
      placed,
      items: [
        ["TEE", 2],
        ["MUG", 1],
      ],
    });
    expect(await cartOf(dee)).toEqual([
      ["TEE", 1],
      ["MUG", 1],
    ]);
  });

  it("does nothing for a customer without a cart, and does not create one", async () => {
    const customerId = crypto.randomUUID();
    await confirm({ customerId, items: [["TEE", 1]] });
    const keys = await cart.keys();
    expect(keys).not.toContain(`user:${customerId}`);

    const eve = await identity.signUp("eve@order-confirmed.test");
    await confirm({ customerId: eve.userId, items: [["TEE", 1]] });
    const { cart: none } = await cart.client.getCart({}, eve.auth);
    expect(none).toMatchObject({ id: "", lines: [] });
    expect(await cart.keys()).not.toContain(`user:${eve.userId}`);
  });

  it("skips a confirmation older than the dedupe window (its marker may be gone)", async () => {
    const fay = await identity.signUp("fay@order-confirmed.test");
    const placed = new Date(Date.now() - 9 * 86_400_000);
    await fill(fay, [["CAP", 2]]);
    // The line is older than the order here, as it would be for an order of last week.
    const stored = await cart.app.store.read({ kind: "user", userId: fay.userId });
    expect(stored).toBeDefined();
    await cart.app.store.update({ kind: "user", userId: fay.userId }, (current) => ({
      ...current!,
      lines: current!.lines.map((line) => ({ ...line, addTime: new Date(placed.getTime() - 1000) })),
    }));
    await confirm({
      customerId: fay.userId,
      placed,
      time: new Date(Date.now() - 8 * 86_400_000),
      items: [["CAP", 2]],
    });
    expect(await cartOf(fay)).toEqual([["CAP", 2]]);
  });
});
