import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advance } from "../src/domain/saga.ts";
import { LeaseLostError, type OrderStore } from "../src/store/index.ts";
import { insertPendingOrder, startOrderStore, type TestOrderStore } from "./store-support.ts";

/**
 * The saga lease on PostgreSQL: one owner at a time, taken over only once it expired, and the
 * recovery loop's claim shares due sagas between replicas without handing one out twice.
 */

let t: TestOrderStore;
let store: OrderStore;

beforeAll(async () => {
  t = await startOrderStore("tleases");
  ({ store } = t);
});

afterAll(async () => {
  await t?.stop();
});

async function newSaga(): Promise<string> {
  return (await insertPendingOrder(store)).id;
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
