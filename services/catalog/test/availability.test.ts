import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { AdjustmentReason } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { EventHeaders, streamName } from "@shopmesh/kit/events";
import { connectTestNats, readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVENTORY_CONSUMER } from "../src/inventory-events.ts";
import { flushLockKey, inStockChannel, reconcileInStock } from "../src/store/availability.ts";
import { emSql } from "../src/store/sql.ts";
import { productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;
let warehouseId: string;
let productId: string;
let orders = 0;

const inventory = () => t.inventory!.client;
const orderId = () => `0190f3a4-0000-7000-8000-${String(++orders).padStart(12, "0")}`;

/** Ids of the storefront's in-stock search for `text`, and the availability facet of the unfiltered one. */
async function inStock(text: string) {
  const filtered = await t.client.searchProducts({ query: text, inStockOnly: true });
  const all = await t.client.searchProducts({ query: text });
  return { ids: filtered.products.map((p) => p.id), facet: all.facets?.inStockCount ?? -1 };
}

async function receive(sku: string, units: number) {
  await inventory().adjustStock({
    sku,
    warehouseId,
    reason: AdjustmentReason.RECEIVED,
    change: { case: "delta", value: BigInt(units) },
  });
}

async function projected(sku: string): Promise<bigint | undefined> {
  const [row] = await t.catalog.db.execute<{ available: string }>(
    "select available::text from sku_availability where sku = ?",
    [sku],
  );
  return row ? BigInt(row.available) : undefined;
}

/** True once the catalog's inventory consumer has acked everything in inventory's stream. */
async function consumerIdle(): Promise<boolean> {
  const nats = await connectTestNats();
  try {
    const jsm = await jetstreamManager(nats);
    const info = await jsm.consumers.info(streamName(t.prefix, "inventory"), INVENTORY_CONSUMER);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  } finally {
    await nats.close();
  }
}

/** Marks waiting for the flusher. */
async function dirtyCount(): Promise<number> {
  const [row] = await t.catalog.db.execute<{ n: number }>(
    "select count(*)::int as n from availability_dirty",
  );
  return row?.n ?? -1;
}

/** GetAvailability calls inventory has answered (its server metrics): the catalog is the only caller here. */
async function availabilityCalls(): Promise<number> {
  const { values } = await t.inventory!.inventory.metrics.rpcServerDuration.get();
  return values
    .filter(
      (value) =>
        value.metricName === "rpc_server_duration_seconds_count" &&
        String(value.labels.method).endsWith("GetAvailability"),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

/** Holds the flush lock as another replica's flush would: marks pile up until `release`. */
async function holdFlushLock(): Promise<{ release(): Promise<void> }> {
  const session = await (await t.catalog.db.pool()).connect();
  const key = flushLockKey(t.catalog.db.schema);
  await session.query("select pg_advisory_lock(hashtextextended($1, 0))", [key]);
  let held = true;
  return {
    async release() {
      if (!held) return;
      held = false;
      try {
        await session.query("select pg_advisory_unlock(hashtextextended($1, 0))", [key]);
      } finally {
        session.release();
      }
    },
  };
}

/** How many events of `type` (the proto name's last part) inventory has published. */
async function published(type: string): Promise<number> {
  const messages = await readStream(streamName(t.prefix, "inventory"));
  return messages.filter((msg) => msg.header?.get(EventHeaders.type) === `shopmesh.inventory.v1.${type}`)
    .length;
}

beforeAll(async () => {
  t = await startCatalog({}, { inventory: true });
  const { warehouse } = await inventory().createWarehouse({
    warehouse: {
      code: "AV-1",
      name: "Availability Test",
      address: { line1: "Lagerstraße 1", city: "Berlin", postalCode: "10115", countryCode: "DE" },
      priority: 1,
      active: true,
    },
  });
  warehouseId = warehouse!.id;
  const { product } = await t.client.createProduct(
    { product: productInit("AVAIL", { name: "Quilted Parka" }) },
    t.admin,
  );
  productId = product!.id;
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("the in-stock filter", () => {
  it("follows inventory: received stock shows, reserving it all hides, releasing shows again", async () => {
    expect(await inStock("parka")).toEqual({ ids: [], facet: 0 });

    await receive("AVAIL-S", 2);
    await waitFor(async () => (await inStock("parka")).ids.includes(productId), {
      message: "product in stock after receiving",
    });
    expect((await inStock("parka")).facet).toBe(1);
    expect(await projected("AVAIL-S")).toBe(2n);

    const order = orderId();
    await inventory().reserve({ orderId: order, lines: [{ sku: "AVAIL-S", quantity: 2n }] });
    await waitFor(async () => (await inStock("parka")).ids.length === 0, {
      message: "product out of stock after reserving every unit",
    });
    expect((await inStock("parka")).facet).toBe(0);
    expect(await projected("AVAIL-S")).toBe(0n);

    await inventory().releaseReservation({ orderId: order, reason: "customer changed their mind" });
    await waitFor(async () => (await inStock("parka")).ids.includes(productId), {
      message: "product back in stock after the release",
    });
  });

  it("only reads a SKU again when an event is delivered again: the projection stays inventory's figure", async () => {
    await waitFor(consumerIdle, { message: "consumer caught up" });
    // Every StockAdjusted so far: the one of AVAIL-S above.
    const [adjusted] = (await readStream(streamName(t.prefix, "inventory"))).filter(
      (msg) => msg.header?.get(EventHeaders.type) === "shopmesh.inventory.v1.StockAdjusted",
    );
    expect(adjusted).toBeDefined();
    // A stale value: only a mark made by the redelivery gets it read again from inventory (2).
    await t.catalog.db.execute("update sku_availability set available = 999 where sku = 'AVAIL-S'");

    const nats = await connectTestNats();
    try {
      // The same event (same ce-id) under a new NATS message id, which JetStream does not drop.
      const headers = adjusted!.header!;
      headers.set("Nats-Msg-Id", `${headers.get(EventHeaders.id)}-again`);
      await jetstream(nats).publish(adjusted!.subject, adjusted!.data, { headers });
    } finally {
      await nats.close();
    }
    await waitFor(consumerIdle, { message: "redelivered event handled" });
    // Marking is idempotent (no inbox): the redelivery marked AVAIL-S again, and a flush reads
    // the absolute figure, so the projection is inventory's, not a sum of deliveries.
    await t.catalog.availability.flush();
    expect(await dirtyCount()).toBe(0);
    expect(await projected("AVAIL-S")).toBe(2n);
  });

  it("fetches the availability of SKUs it has never seen, in the background", async () => {
    // Stock that arrived while the catalog knew nothing of it: wiped from the projection here.
    await receive("AVAIL-M", 5);
    await waitFor(async () => (await projected("AVAIL-M")) === 5n);
    await t.catalog.db.execute("delete from sku_availability");
    await t.catalog.db.execute("update products set in_stock = false");
    await t.catalog.cache.invalidate({ products: new Map(), slugs: new Set(), any: true });
    expect((await inStock("parka")).ids).toEqual([]);

    t.catalog.availability.request("unknown");
    await t.catalog.availability.settled();
    expect(await projected("AVAIL-M")).toBe(5n);
    expect(await projected("AVAIL-S")).toBe(2n);
    await waitFor(async () => (await inStock("parka")).ids.includes(productId), {
      message: "product in stock after the backfill",
    });
  });

  it("knows the stock of a SKU that was received before its product existed", async () => {
    await receive("EARLY-S", 1);
    await waitFor(async () => (await projected("EARLY-S")) === 1n);
    const { product } = await t.client.createProduct(
      { product: productInit("EARLY", { name: "Early Bird Scarf" }) },
      t.admin,
    );
    expect(
      (await t.client.searchProducts({ query: "scarf", inStockOnly: true })).products.map((p) => p.id),
    ).toEqual([product!.id]);
  });

  it("corrects in-stock flags that fell behind the projection when reconciling", async () => {
    await waitFor(async () => (await inStock("parka")).ids.includes(productId));
    await t.catalog.db.execute("update products set in_stock = false where id = ?", [productId]);
    const changed = await reconcileInStock(emSql(t.catalog.db.em()), inStockChannel("catalog"));
    expect(changed).toBe(1);
    // The NOTIFY drops cached pages, so the next search sees it again.
    await waitFor(async () => (await inStock("parka")).ids.includes(productId), {
      message: "product back after reconciling",
    });
  });
});

describe("the availability flusher", () => {
  it("reads inventory once for a burst of checkouts on the same SKUs", async () => {
    await receive("BURST-1", 50);
    await receive("BURST-2", 50);
    await waitFor(async () => (await projected("BURST-1")) === 50n && (await projected("BURST-2")) === 50n, {
      message: "the burst's SKUs received",
    });
    await waitFor(async () => (await dirtyCount()) === 0, { message: "earlier marks flushed" });
    const lock = await holdFlushLock();
    try {
      const before = await availabilityCalls();
      await Promise.all(
        Array.from({ length: 20 }, () =>
          inventory().reserve({
            orderId: orderId(),
            lines: [
              { sku: "BURST-1", quantity: 1n },
              { sku: "BURST-2", quantity: 1n },
            ],
          }),
        ),
      );
      // 20 StockReserved of two SKUs each: 40 marks, and no read of inventory while they pile up.
      await waitFor(async () => (await dirtyCount()) === 40, { message: "every event marked its SKUs" });
      expect(await availabilityCalls()).toBe(before);
      expect(await projected("BURST-1")).toBe(50n);

      await lock.release();
      await waitFor(async () => (await dirtyCount()) === 0, { message: "the marks flushed" });
      await t.catalog.availability.flush();
      expect(await projected("BURST-1")).toBe(30n);
      expect(await projected("BURST-2")).toBe(30n);
      expect((await availabilityCalls()) - before).toBe(1);
    } finally {
      await lock.release();
    }
  });

  it("does no availability work for a committed reservation", async () => {
    await receive("COMMIT-1", 3);
    const order = orderId();
    await inventory().reserve({ orderId: order, lines: [{ sku: "COMMIT-1", quantity: 2n }] });
    await waitFor(async () => (await projected("COMMIT-1")) === 1n && (await dirtyCount()) === 0, {
      message: "the reservation projected",
    });
    const lock = await holdFlushLock();
    try {
      const before = await availabilityCalls();
      await inventory().commitReservation({ orderId: order });
      await waitFor(async () => (await published("ReservationCommitted")) === 1, {
        message: "ReservationCommitted published",
      });
      await waitFor(consumerIdle, { message: "ReservationCommitted consumed" });
      // With the flush lock held a mark would still be here.
      expect(await dirtyCount()).toBe(0);
      await lock.release();
      await t.catalog.availability.flush();
      expect(await availabilityCalls()).toBe(before);
      expect(await projected("COMMIT-1")).toBe(1n);
    } finally {
      await lock.release();
    }
  });
});
