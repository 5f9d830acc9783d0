import { createLogger } from "@shopmesh/kit/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyShippingPrice, confirmOrder, type Order } from "../src/domain/order.ts";
import type { Saga, SagaStep } from "../src/domain/saga.ts";
import { createSagaEngine, type SagaEngineOptions } from "../src/saga/engine.ts";
import { PeerCallError } from "../src/saga/failure.ts";
import type { StepResult, StepRunner } from "../src/saga/steps.ts";
import type { OrderStore } from "../src/store/index.ts";
import { insertPendingOrder, startOrderStore, type TestOrderStore } from "./store-support.ts";

/**
 * The saga engine on PostgreSQL with scripted steps (the steps' calls to other services are
 * covered by the checkout tests): what it stores when, and how it applies order changes.
 */

let t: TestOrderStore;
let store: OrderStore;

beforeAll(async () => {
  t = await startOrderStore("tengine");
  ({ store } = t);
});

afterAll(async () => {
  await t?.stop();
});

async function newOrder(): Promise<Order> {
  return insertPendingOrder(store);
}

/** An engine whose steps are `script` (every other step just advances). */
function engineWith(
  script: Partial<Record<SagaStep, (saga: Saga, order: Order) => Promise<StepResult>>>,
  hooks: Pick<SagaEngineOptions, "onCompensationRefused"> = {},
) {
  const ran: SagaStep[] = [];
  const steps: StepRunner = async (saga, order) => {
    ran.push(saga.step);
    return (await script[saga.step]?.(saga, order)) ?? { kind: "advance" };
  };
  const engine = createSagaEngine({
    store,
    steps,
    logger: createLogger({ service: "order-test", level: "silent" }),
    owner: `test-${crypto.randomUUID()}`,
    leaseMs: 10_000,
    policy: { maxAttempts: 3, budgetMs: 5_000, baseDelayMs: 10, maxDelayMs: 20, compensationMaxDelayMs: 20 },
    inProcessDelayMs: 100,
    ...hooks,
  });
  return { engine, ran };
}

const stored = async (orderId: string) => (await store.read().sagas.byOrderId(orderId))!;

describe("saga engine", () => {
  it("stores a step that changed nothing together with the next step, and resolves with where it left off", async () => {
    const order = await newOrder();
    const seen: string[] = [];
    const { engine, ran } = engineWith({
      // reserve changed nothing in the order: its row still says reserve while quote runs
      quote: async () => {
        seen.push((await stored(order.id)).step);
        return {
          kind: "advance",
          apply: (o, now) => ({ order: applyShippingPrice(o, 499n, now), history: [], events: [] }),
        };
      },
      // quote's change was stored with the saga's move on: the row is at authorize
      authorize: async () => {
        seen.push((await stored(order.id)).step);
        return { kind: "advance" };
      },
      confirm: async () => ({ kind: "advance", apply: confirmOrder }),
    });
    const outcome = await engine.run(order.id, { order });
    expect(seen).toEqual(["reserve", "authorize"]);
    expect(ran).toEqual(["reserve", "quote", "authorize", "ship", "capture", "commit", "confirm"]);
    expect(outcome?.saga.status).toBe("done");
    expect(outcome?.order.status).toBe("confirmed");
    // what it resolved with is what is stored
    const row = await store.read().orders.byId(order.id);
    expect(row?.status).toBe("confirmed");
    expect(row?.shippingTotal).toBe(499n);
    expect(row?.version).toBe(outcome?.order.version);
    expect((await stored(order.id)).status).toBe("done");
    await engine.stop();
  });

  it("stores the step it is one ahead at when it stops", async () => {
    const order = await newOrder();
    let entered!: () => void;
    const inReserve = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let stopped = false;
    const { engine, ran } = engineWith({
      // reserve finishes only once the engine is stopping: the run ends one step ahead of its row
      reserve: async () => {
        entered();
        while (!stopped) await new Promise((resolve) => setTimeout(resolve, 5));
        return { kind: "advance" };
      },
    });
    const run = engine.run(order.id, { order });
    await inReserve;
    const stopping = engine.stop();
    stopped = true;
    await stopping;
    expect(await run).toBeUndefined();
    expect(ran).toEqual(["reserve"]);
    const row = await stored(order.id);
    expect(row.step).toBe("quote");
    expect(row.status).toBe("running");
    // and the lease is given back: the recovery loop can take it up at once
    expect(await store.read().sagas.claim(order.id, "someone-else", 1_000)).toBeDefined();
  });

  it("stops without writing anything when its lease was taken over while a step ran", async () => {
    const order = await newOrder();
    const { engine, ran } = engineWith({
      quote: async () => {
        // the lease expired while the call took long, and another process took the saga up
        await store.read().sagas.release(order.id, engine.lease.owner);
        await store.read().sagas.claim(order.id, "someone-else", 60_000);
        return {
          kind: "advance",
          apply: (o, now) => ({ order: applyShippingPrice(o, 499n, now), history: [], events: [] }),
        };
      },
    });
    expect(await engine.run(order.id, { order })).toBeUndefined();
    expect(ran).toEqual(["reserve", "quote"]);
    // neither quote's order change nor the step before it (reserve) was stored
    expect(await store.read().orders.byId(order.id)).toEqual(order);
    const row = await stored(order.id);
    expect(row.step).toBe("reserve");
    expect(await store.read().sagas.claim(order.id, "a-third", 1_000)).toBeUndefined();
    await engine.stop();
  });

  it("applies an order change to the stored order when someone else changed it meanwhile", async () => {
    const order = await newOrder();
    const { engine } = engineWith({
      quote: async (_saga, known) => {
        // another writer moves the order on (a version bump) while the step runs
        await store.transaction(async (tx) => {
          const current = await tx.orders.byId(known.id, { lock: true });
          await tx.orders.save({ ...current!, failureReason: "touched", version: current!.version + 1 });
        });
        return {
          kind: "advance",
          apply: (o, now) => ({ order: applyShippingPrice(o, 700n, now), history: [], events: [] }),
        };
      },
      confirm: async () => ({ kind: "advance", apply: confirmOrder }),
    });
    const outcome = await engine.run(order.id, { order });
    const row = await store.read().orders.byId(order.id);
    // both changes stand: the other writer's and the step's, applied on top of it
    expect(row?.failureReason).toBe("touched");
    expect(row?.shippingTotal).toBe(700n);
    expect(row?.status).toBe("confirmed");
    expect(row?.version).toBe(order.version + 3);
    expect(outcome?.order.version).toBe(row?.version);
    await engine.stop();
  });

  it("reports a compensation refused for good each time, and keeps trying it until it passes", async () => {
    const order = await newOrder();
    const refusals: string[] = [];
    let tries = 0;
    const { engine, ran } = engineWith(
      {
        capture: async () => ({ kind: "compensate", failure: { code: "PAYMENT_FAILED", reason: "test" } }),
        cancel_shipment: async () => {
          tries++;
          if (tries <= 2) {
            throw new PeerCallError({
              service: "shipping",
              code: "FailedPrecondition",
              message: "the carrier has the parcel",
            });
          }
          return { kind: "advance" };
        },
      },
      {
        onCompensationRefused: (saga, failure) =>
          refusals.push(`${saga.step} ${failure.service} ${failure.code}`),
      },
    );
    const outcome = await engine.run(order.id, { order });
    expect(refusals).toEqual([
      "cancel_shipment shipping FailedPrecondition",
      "cancel_shipment shipping FailedPrecondition",
    ]);
    expect(ran.filter((step) => step === "cancel_shipment")).toHaveLength(3);
    // then it went on compensating to the end (the scripted fail step changes no order)
    expect(ran.slice(-3)).toEqual(["void_payment", "release_stock", "fail"]);
    expect(outcome?.saga).toMatchObject({ status: "done", failureCode: "PAYMENT_FAILED" });
    await engine.stop();
  });
});
