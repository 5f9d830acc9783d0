import { setTimeout as sleep } from "node:timers/promises";
import { OrderConfirmedSchema, OrderPlacedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import type { Db } from "@shopmesh/kit/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyShippingPrice, confirmOrder, type Order, placeOrder } from "../src/domain/order.ts";
import { advance, type Saga, startCheckout } from "../src/domain/saga.ts";
import { pendingOrder } from "../src/domain/test-fixtures.ts";
import {
  isDuplicateOrder,
  LeaseLostError,
  type OrderStore,
  type SagaLease,
  type StepWrite,
} from "../src/store/index.ts";
import { startOrderStore, type TestOrderStore } from "./store-support.ts";

/**
 * The checkout's single-statement writes on PostgreSQL (store/checkout.ts): each writes all of
 * its rows or none — the order, its history, its events and its saga — and says why when it
 * wrote none (a lost lease, an order changed since it was read).
 */

let t: TestOrderStore;
let store: OrderStore;
let db: Db;

beforeAll(async () => {
  t = await startOrderStore("tcheckout");
  ({ store, db } = t);
});

afterAll(async () => {
  await t?.stop();
});

const META = { actor: "service:order", correlationId: "test" };
const lease = (owner: string): SagaLease => ({ owner, leaseMs: 60_000 });

/** A new order placed with `store.checkout.place`, its saga leased to `owner`. */
async function placed(owner = "a"): Promise<{ order: Order; saga: Saga }> {
  const change = placeOrder(
    { ...pendingOrder(), id: crypto.randomUUID(), idempotencyKey: crypto.randomUUID() },
    new Date(),
  );
  const saga = startCheckout(change.order.id, "tok", new Date());
  await store.checkout.place({ change, saga, meta: META, lease: lease(owner) });
  return { order: change.order, saga };
}

/** Everything stored about an order: the order, its history, its saga row with its lease, its events. */
async function stored(orderId: string) {
  const read = store.read();
  const [sagaRow] = await db.execute<{
    step: string;
    status: string;
    lease_owner: string | null;
    lease_expires: number | null;
  }>(
    `select step, status, lease_owner, extract(epoch from lease_expire_time)::float8 as lease_expires, update_time
     from sagas where order_id = ?`,
    [orderId],
  );
  return {
    order: await read.orders.byId(orderId),
    history: await read.orders.history(orderId),
    saga: sagaRow,
    events: (
      await db.execute<{ type: string }>(
        "select type from outbox_events where aggregate_id = ? order by id",
        [orderId],
      )
    ).map((row) => row.type),
  };
}

/** The confirm step's write: the order CONFIRMED (a history entry, OrderConfirmed), the saga done. */
function confirmStep(before: Order, saga: Saga, owner: string): StepWrite {
  const now = new Date();
  return {
    saga: { ...advance({ ...saga, step: "confirm" }, now), status: "done" },
    lease: lease(owner),
    order: { before, change: confirmOrder(before, now), meta: META },
  };
}

describe("PlaceOrder's statement", () => {
  it("writes the order, its history, its saga leased to the placing process and OrderPlaced", async () => {
    const { order } = await placed("placer");
    const now = await stored(order.id);
    expect(now.order).toEqual(order);
    expect(now.history.map((entry) => [entry.fromStatus, entry.toStatus])).toEqual([[undefined, "pending"]]);
    expect(now.saga).toMatchObject({ step: "reserve", status: "running", lease_owner: "placer" });
    expect(now.events).toEqual([OrderPlacedSchema.typeName]);
    // Leased: nobody else claims it, not even the recovery loop.
    expect(await store.read().sagas.claim(order.id, "other", 1_000)).toBeUndefined();
    expect(await store.read().sagas.claimDue("other", 1_000, 1_000)).not.toContain(order.id);
  });

  it("refuses a second order with the same customer and key, and writes none of its rows", async () => {
    const { order } = await placed();
    const twin = placeOrder(
      { ...pendingOrder(), id: crypto.randomUUID(), idempotencyKey: order.idempotencyKey },
      new Date(),
    );
    const error = await store.checkout
      .place({ change: twin, saga: startCheckout(twin.order.id, "tok", new Date()), meta: META })
      .catch((e: unknown) => e);
    expect(isDuplicateOrder(error)).toBe(true);
    expect(await stored(twin.order.id)).toEqual({
      order: undefined,
      history: [],
      saga: undefined,
      events: [],
    });
    expect(await store.checkout.byIdempotencyKey(order.customerId, order.idempotencyKey)).toEqual(order);
  });
});

describe("a saga step's statement", () => {
  it("writes the order change, its history and events with the saga, and clears a finished saga's lease", async () => {
    const { order, saga } = await placed("a");
    const write = confirmStep(order, saga, "a");
    expect(await store.checkout.saveStep(write)).toBe("written");
    const now = await stored(order.id);
    expect(now.order).toEqual(write.order!.change.order);
    expect(now.history.map((entry) => entry.toStatus)).toEqual(["pending", "confirmed"]);
    expect(now.events).toEqual([OrderPlacedSchema.typeName, OrderConfirmedSchema.typeName]);
    expect(now.saga).toMatchObject({
      step: "confirm",
      status: "done",
      lease_owner: null,
      lease_expires: null,
    });
  });

  it("renews the lease of a saga that goes on", async () => {
    const { order, saga } = await placed("a");
    const before = await stored(order.id);
    await sleep(20);
    expect(await store.checkout.saveStep({ saga: advance(saga, new Date()), lease: lease("a") })).toBe(
      "written",
    );
    const now = await stored(order.id);
    expect(now.saga).toMatchObject({ step: "quote", status: "running", lease_owner: "a" });
    expect(now.saga!.lease_expires).toBeGreaterThan(before.saga!.lease_expires!);
  });

  it("writes nothing once the lease is lost: order, history, events and saga stay as they were", async () => {
    const { order, saga } = await placed("a");
    // The lease went to another process (it expired, and the recovery loop took it up).
    await store.read().sagas.release(order.id, "a");
    expect(await store.read().sagas.claim(order.id, "b", 60_000)).toBeDefined();
    const before = await stored(order.id);

    await expect(store.checkout.saveStep(confirmStep(order, saga, "a"))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    // A step that changed no order field, with or without history and events, alike.
    await expect(
      store.checkout.saveStep({
        saga: advance(saga, new Date()),
        lease: lease("a"),
        order: { before: order, change: { ...confirmOrder(order, new Date()), order }, meta: META },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      store.checkout.saveStep({ saga: advance(saga, new Date()), lease: lease("a") }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      store.checkout.saveStepLocked(order.id, (current) => confirmStep(current, saga, "a")),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await stored(order.id)).toEqual(before);
    expect(before.saga).toMatchObject({ step: "reserve", lease_owner: "b" });
  });

  it("writes nothing on an order changed since it was read; saveStepLocked applies the step on the current order", async () => {
    const { order, saga } = await placed("a");
    // Another writer moves the order on (a version bump).
    await store.transaction(async (tx) => {
      const current = await tx.orders.byId(order.id, { lock: true });
      await tx.orders.save({ ...current!, failureReason: "touched", version: current!.version + 1 });
    });
    const before = await stored(order.id);
    const step = (current: Order) => ({
      saga: advance({ ...saga, step: "quote" }, new Date()),
      lease: lease("a"),
      order: {
        before: current,
        change: { order: applyShippingPrice(current, 700n, new Date()), history: [], events: [] },
        meta: META,
      },
    });

    expect(await store.checkout.saveStep(step(order))).toBe("stale");
    expect(await stored(order.id)).toEqual(before);

    const applied = await store.checkout.saveStepLocked(order.id, step);
    const now = await stored(order.id);
    // Both changes stand: the other writer's, and the step's on top of it.
    expect(now.order).toEqual(applied.order.change.order);
    expect(now.order).toMatchObject({
      failureReason: "touched",
      shippingTotal: 700n,
      version: order.version + 2,
    });
    expect(now.saga).toMatchObject({ step: "authorize", lease_owner: "a" });
    expect(now.history).toEqual(before.history);
    expect(now.events).toEqual(before.events);
  });

  it("waits for a writer holding the order's lock and answers stale when it moved the order on", async () => {
    const { order, saga } = await placed("a");
    let step: Promise<string> | undefined;
    await store.transaction(async (tx) => {
      const current = await tx.orders.byId(order.id, { lock: true });
      step = store.checkout.saveStep(confirmStep(order, saga, "a"));
      await sleep(100);
      await tx.orders.save({ ...current!, failureReason: "touched", version: current!.version + 1 });
    });
    expect(await step).toBe("stale");
    const now = await stored(order.id);
    expect(now.order).toMatchObject({ status: "pending", failureReason: "touched" });
    expect(now.history).toHaveLength(1);
    expect(now.events).toEqual([OrderPlacedSchema.typeName]);
    expect(now.saga).toMatchObject({ step: "reserve", status: "running", lease_owner: "a" });
  });
});
