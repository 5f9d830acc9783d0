import { createDb, type Db } from "@shopmesh/kit/db";
import { outboxEntities } from "@shopmesh/kit/events";
import { createLogger } from "@shopmesh/kit/log";
import { createTestDatabase, type TestDatabase, waitFor } from "@shopmesh/kit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AvailabilitySync, createAvailabilitySync } from "../src/availability-sync.ts";
import type { AvailabilitySource } from "../src/sources/inventory.ts";
import { inStockChannel } from "../src/store/availability.ts";
import { CATALOG_ENTITIES, MIGRATIONS } from "../src/store/index.ts";
import { emSql } from "../src/store/sql.ts";

/**
 * The flusher against a real PostgreSQL, with inventory played by a stand-in whose answers and
 * timing the tests control (the end-to-end path with the real inventory is in
 * availability.test.ts). Marks are made as inventory-events.ts makes them: sync.mark in a
 * transaction of their own.
 */

const SCHEMA = "catalog";
const logger = createLogger({ service: "catalog", level: "silent" });

let database: TestDatabase;
/** Two connections to one database: two catalog replicas. */
let db: Db;
let otherDb: Db;
const syncs: AvailabilitySync[] = [];

/** Inventory as the flusher sees it: a stock table, a log of calls, and a gate that holds answers back. */
function createStandIn() {
  const stock = new Map<string, bigint>();
  const calls: string[][] = [];
  let gate: Promise<void> | undefined;
  let failing = false;
  const source: AvailabilitySource = {
    async availability(skus) {
      calls.push([...skus].sort());
      if (failing) throw new Error("inventory unavailable");
      // Read when asked, answered when the gate opens: what a slow GetAvailability does.
      const answer = skus.map((sku) => ({ sku, available: stock.get(sku) ?? 0n }));
      await gate;
      return answer;
    },
  };
  return {
    stock,
    calls,
    source,
    /** Holds answers back until the returned function is called. */
    hold(): () => void {
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
    fail(on: boolean) {
      failing = on;
    },
  };
}

/**
 * A sync on `on` (default the first replica's connection). Its flusher only runs when told
 * unless `timers`: then wakes flush after 50 ms and failed flushes are retried after 50 ms.
 */
function sync(source: AvailabilitySource, on: Db = db, timers = false): AvailabilitySync {
  const created = createAvailabilitySync({
    db: on,
    source,
    notifyChannel: inStockChannel(SCHEMA),
    logger,
    retryMs: timers ? 50 : 60_000,
    flushDelayMs: timers ? 50 : 60_000,
    flushSweepMs: timers ? 5_000 : 0,
  });
  syncs.push(created);
  return created;
}

async function mark(by: AvailabilitySync, skus: string[]): Promise<void> {
  await db.transaction((em) => by.mark(emSql(em), skus));
}

async function projected(sku: string): Promise<bigint | undefined> {
  const [row] = await db.execute<{ available: string }>(
    "select available::text as available from sku_availability where sku = ?",
    [sku],
  );
  return row ? BigInt(row.available) : undefined;
}

async function dirty(): Promise<string[]> {
  const rows = await db.execute<{ sku: string }>("select sku from availability_dirty order by seq");
  return rows.map((row) => row.sku);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const options = {
    url: database.url,
    schema: SCHEMA,
    entities: [...CATALOG_ENTITIES, ...outboxEntities],
    migrations: MIGRATIONS,
  };
  db = await createDb(options);
  otherDb = await createDb(options);
}, 30_000);

afterEach(async () => {
  await Promise.all(syncs.splice(0).map((s) => s.stop()));
  await db.execute("delete from availability_dirty");
  await db.execute("delete from sku_availability");
});

afterAll(async () => {
  await otherDb?.close();
  await db?.close();
  await database?.drop();
});

describe("the availability flusher", () => {
  it("reads inventory once for many marks of the same SKUs", async () => {
    const inventory = createStandIn();
    inventory.stock.set("HOT-1", 7n).set("HOT-2", 0n);
    const s = sync(inventory.source);
    await Promise.all(Array.from({ length: 40 }, () => mark(s, ["HOT-1", "HOT-2"])));
    expect(await dirty()).toHaveLength(80);

    expect(await s.flush()).toBe(2);
    expect(inventory.calls).toEqual([["HOT-1", "HOT-2"]]);
    expect(await projected("HOT-1")).toBe(7n);
    expect(await projected("HOT-2")).toBe(0n);
    expect(await dirty()).toEqual([]);

    // Nothing marked: nothing asked.
    expect(await s.flush()).toBe(0);
    expect(inventory.calls).toHaveLength(1);
  });

  it("keeps a mark made while a flush runs, for the next flush", async () => {
    const inventory = createStandIn();
    inventory.stock.set("RACE-1", 1n);
    const s = sync(inventory.source);
    await mark(s, ["RACE-1"]);

    const open = inventory.hold();
    const first = s.flush();
    await waitFor(() => inventory.calls.length === 1, { message: "the flush asked inventory" });
    // The flush has read 1; then the last unit goes and its event marks the SKU again.
    inventory.stock.set("RACE-1", 0n);
    await mark(s, ["RACE-1"]);
    open();
    expect(await first).toBe(1);

    expect(await projected("RACE-1")).toBe(1n);
    expect(await dirty()).toEqual(["RACE-1"]);
    expect(await s.flush()).toBe(1);
    expect(await projected("RACE-1")).toBe(0n);
    expect(await dirty()).toEqual([]);
  });

  it("lets one replica flush at a time, and the other's marks wait for it", async () => {
    const inventory = createStandIn();
    const otherInventory = createStandIn();
    inventory.stock.set("TWO-1", 4n);
    otherInventory.stock.set("TWO-1", 4n).set("TWO-2", 9n);
    const s = sync(inventory.source);
    const other = sync(otherInventory.source, otherDb);
    await mark(s, ["TWO-1"]);

    const open = inventory.hold();
    const first = s.flush();
    await waitFor(() => inventory.calls.length === 1, { message: "the first replica is flushing" });
    await mark(other, ["TWO-2"]);
    // The other replica finds the flush lock taken: it asks nothing and deletes nothing.
    expect(await other.flush()).toBe(0);
    expect(otherInventory.calls).toEqual([]);
    open();
    expect(await first).toBe(1);
    expect(await dirty()).toEqual(["TWO-2"]);

    expect(await other.flush()).toBe(1);
    expect(otherInventory.calls).toEqual([["TWO-2"]]);
    expect(await projected("TWO-2")).toBe(9n);
    expect(await dirty()).toEqual([]);
  });

  it("keeps the marks when inventory cannot be read, and retries", async () => {
    const inventory = createStandIn();
    inventory.stock.set("FAIL-1", 3n);
    const s = sync(inventory.source, db, true);
    inventory.fail(true);
    await mark(s, ["FAIL-1"]);
    await expect(s.flush()).rejects.toThrow("inventory unavailable");
    expect(await dirty()).toEqual(["FAIL-1"]);
    expect(await projected("FAIL-1")).toBeUndefined();

    // The retry (after retryMs) succeeds once inventory answers again.
    inventory.fail(false);
    await waitFor(async () => (await projected("FAIL-1")) === 3n, { message: "the retry stored it" });
    expect(await dirty()).toEqual([]);
  });

  it("flushes the marks an earlier process left, when it starts", async () => {
    const inventory = createStandIn();
    inventory.stock.set("LEFT-1", 5n);
    // A process that marked, then died before its flush.
    await mark(sync(createStandIn().source), ["LEFT-1"]);

    sync(inventory.source, db, true).start();
    await waitFor(async () => (await projected("LEFT-1")) === 5n, { message: "the left mark flushed" });
    expect(await dirty()).toEqual([]);
  });

  it("flushes shortly after a wake, once for wakes that come together", async () => {
    const inventory = createStandIn();
    inventory.stock.set("WAKE-1", 2n).set("WAKE-2", 3n);
    const s = sync(inventory.source, db, true);
    for (const sku of ["WAKE-1", "WAKE-2", "WAKE-1"]) await mark(s, [sku]);
    s.wake();
    s.wake();
    s.wake();
    await waitFor(async () => (await dirty()).length === 0, { message: "woken flush done" });
    expect(await projected("WAKE-1")).toBe(2n);
    expect(await projected("WAKE-2")).toBe(3n);
    expect(inventory.calls).toEqual([["WAKE-1", "WAKE-2"]]);
  });
});
