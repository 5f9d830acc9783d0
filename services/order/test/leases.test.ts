import { setTimeout as sleep } from "node:timers/promises";
import { createDb, type Db } from "@shopmesh/kit/db";
import { outboxEntities } from "@shopmesh/kit/events";
import { createTestDatabase, type TestDatabase } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeOrder } from "../src/domain/order.ts";
import { advance, startCheckout } from "../src/domain/saga.ts";
import { pendingOrder } from "../src/domain/test-fixtures.ts";
import { createEventRows, createEventWriter } from "../src/events.ts";
import {
  createOrderStore,
  LeaseLostError,
  MIGRATIONS,
  ORDER_ENTITIES,
  type OrderStore,
} from "../src/store/index.ts";

/**
 * The saga lease on PostgreSQL: one owner at a time, taken over only once it expired, and the
 * recovery loop's claim shares due sagas between replicas without handing one out twice.
 */

let database: TestDatabase;
let db: Db;
let store: OrderStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await createDb({
    url: database.url,
    schema: "order",
    entities: [...ORDER_ENTITIES, ...outboxEntities],
    migrations: MIGRATIONS,
  });
  store = createOrderStore({
    db,
    recordEvents: createEventWriter({ prefix: "tleases" }),
    outboxRows: createEventRows({ prefix: "tleases" }),
  });
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

async function newSaga(): Promise<string> {
  const order = placeOrder(
    { ...pendingOrder(), id: crypto.randomUUID(), idempotencyKey: crypto.randomUUID() },
    new Date(),
  ).order;
  await store.transaction(async (tx) => {
    await tx.orders.insert(order);
    await tx.sagas.insert(startCheckout(order.id, "tok", new Date(Date.now() - 1000)));
  });
  return order.id;
}

describe("saga leases", () => {
  it("lets one owner drive a saga until its lease expires, then another", async () => {
    const id = await newSaga();
    const sagas = store.read().sagas;
    const mine = await sagas.claim(id, "a", 300);
    expect(mine?.step).toBe("reserve");
    expect(await sagas.claim(id, "b", 300)).toBeUndefined();
    expect(await sagas.claim(id, "a", 300)).toBeDefined();
    await sleep(400);
    expect(await sagas.claim(id, "b", 5_000)).toBeDefined();
    // The first owner wakes up and tries to save: refused, nothing overwritten.
    await expect(sagas.save(advance(mine!, new Date()), "a", 300)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await sagas.byOrderId(id))?.step).toBe("reserve");
  });

  it("hands each due saga to one replica only", async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => newSaga()));
    const claims = await Promise.all(
      ["r1", "r2", "r3"].map((owner) => store.read().sagas.claimDue(owner, 10_000, 100)),
    );
    const claimed = claims.flat().filter((id) => ids.includes(id));
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(new Set(claimed).size).toBe(claimed.length);
    // Leased now: nobody else gets them until the leases run out.
    expect((await store.read().sagas.claimDue("r4", 10_000, 100)).filter((id) => ids.includes(id))).toEqual(
      [],
    );
  });

  it("gives a lease back on release and forgets it when the saga is done", async () => {
    const id = await newSaga();
    const sagas = store.read().sagas;
    const saga = await sagas.claim(id, "a", 60_000);
    await sagas.release(id, "a");
    expect(await sagas.claim(id, "b", 60_000)).toBeDefined();
    await sagas.save({ ...saga!, status: "done" }, "b", 60_000);
    expect(await sagas.claim(id, "c", 60_000)).toBeUndefined();
  });
});
