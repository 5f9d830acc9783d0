import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { AdjustmentReason } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { EventHeaders, streamName } from "@shopmesh/kit/events";
import { connectTestNats, readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVENTORY_CONSUMER } from "../src/inventory-events.ts";
import { inStockChannel, reconcileInStock } from "../src/store/availability.ts";
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

  it("has no second effect when an event is delivered again", async () => {
    await waitFor(consumerIdle, { message: "consumer caught up" });
    // Every StockAdjusted so far: the one of AVAIL-S above.
    const [adjusted] = (await readStream(streamName(t.prefix, "inventory"))).filter(
      (msg) => msg.header?.get(EventHeaders.type) === "shopmesh.inventory.v1.StockAdjusted",
    );
    expect(adjusted).toBeDefined();
    // A value only a handler that ran again would overwrite (it re-reads inventory's 2).
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
    expect(await projected("AVAIL-S")).toBe(999n);
    await t.catalog.db.execute("update sku_availability set available = 2 where sku = 'AVAIL-S'");
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
