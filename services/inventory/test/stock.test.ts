import { LowStockSchema, StockAdjustedSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { AdjustmentReason } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { streamName } from "@shopmesh/kit/events";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, orderId, startInventory, type TestInventory } from "./support.ts";

let t: TestInventory;

beforeAll(async () => {
  t = await startInventory();
});

afterAll(async () => {
  await t?.stop();
});

const delta = (value: number) => ({ case: "delta" as const, value: BigInt(value) });
const counted = (value: number) => ({ case: "countedQuantity" as const, value: BigInt(value) });

describe("AdjustStock", () => {
  it("records every adjustment with its reason, note and actor, and publishes StockAdjusted", async () => {
    const warehouse = await t.warehouse();
    const received = await t.client.adjustStock(
      {
        sku: "ADJ-1",
        warehouseId: warehouse.id,
        reason: AdjustmentReason.RECEIVED,
        change: delta(12),
        note: "PO 4711",
      },
      t.admin,
    );
    expect(received.stockLevel).toMatchObject({ sku: "ADJ-1", onHand: 12n, reserved: 0n, available: 12n });
    expect(received.adjustment).toMatchObject({
      delta: 12n,
      reason: AdjustmentReason.RECEIVED,
      note: "PO 4711",
      actor: `user:${t.adminId}`,
      onHandAfter: 12n,
    });
    await t.client.adjustStock(
      { sku: "ADJ-1", warehouseId: warehouse.id, reason: AdjustmentReason.DAMAGED, change: delta(-2) },
      t.admin,
    );

    const { adjustments } = await t.client.listAdjustments({ sku: "ADJ-1" }, t.admin);
    expect(adjustments.map((a) => [a.reason, a.delta, a.onHandAfter])).toEqual([
      [AdjustmentReason.DAMAGED, -2n, 10n],
      [AdjustmentReason.RECEIVED, 12n, 12n],
    ]);
    const events = await t.events(StockAdjustedSchema, "ADJ-1");
    expect(events.map((e) => [e.adjustment?.delta, e.stockLevel?.onHand])).toEqual([
      [12n, 12n],
      [-2n, 10n],
    ]);
    // The relay publishes the outbox to the context's stream.
    const stream = streamName(t.prefix, "inventory");
    const published = await waitFor(async () => {
      const messages = await readStream(stream);
      const adjusted = messages.filter((m) => m.header?.get("ce-type") === StockAdjustedSchema.typeName);
      return adjusted.length >= 2 && adjusted;
    });
    expect(published[0]!.header?.get("ce-subject")).toBe("ADJ-1");
    expect(published[0]!.header?.get("shopmesh-actor")).toBe(`user:${t.adminId}`);
  });

  it("sets on hand to the counted quantity and records the difference, also when it is 0", async () => {
    const warehouse = await t.warehouse();
    await t.receive("COUNT-1", warehouse.id, 10);
    const lower = await t.client.adjustStock(
      { sku: "COUNT-1", warehouseId: warehouse.id, reason: AdjustmentReason.COUNTED, change: counted(7) },
      t.admin,
    );
    expect(lower.adjustment).toMatchObject({ delta: -3n, onHandAfter: 7n, reason: AdjustmentReason.COUNTED });
    expect(lower.stockLevel?.onHand).toBe(7n);
    const same = await t.client.adjustStock(
      { sku: "COUNT-1", warehouseId: warehouse.id, reason: AdjustmentReason.COUNTED, change: counted(7) },
      t.admin,
    );
    expect(same.adjustment).toMatchObject({ delta: 0n, onHandAfter: 7n });
    expect((await t.client.listAdjustments({ sku: "COUNT-1" }, t.admin)).adjustments).toHaveLength(3);
  });

  it("never takes on hand below the reserved units, and changes nothing when it refuses", async () => {
    const warehouse = await t.warehouse();
    await t.receive("HELD", warehouse.id, 5);
    await t.order.reserve({ orderId: orderId(), lines: [{ sku: "HELD", quantity: 4n }] });
    for (const change of [
      { reason: AdjustmentReason.DAMAGED, change: delta(-2) },
      { reason: AdjustmentReason.COUNTED, change: counted(3) },
      { reason: AdjustmentReason.CORRECTION, change: delta(-6) },
    ]) {
      const error = await failure(
        t.client.adjustStock({ sku: "HELD", warehouseId: warehouse.id, ...change }, t.admin),
      );
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(errorReason(error)).toBe("INVALID_STATE");
    }
    const { stockLevels } = await t.client.listStockLevels({ sku: "HELD" }, t.admin);
    expect(stockLevels[0]).toMatchObject({ onHand: 5n, reserved: 4n, available: 1n });
    expect((await t.client.listAdjustments({ sku: "HELD" }, t.admin)).adjustments).toHaveLength(1);
    // Taking the one free unit is fine.
    await t.client.adjustStock(
      { sku: "HELD", warehouseId: warehouse.id, reason: AdjustmentReason.DAMAGED, change: delta(-1) },
      t.admin,
    );
  });

  it("applies a retried adjustment with the same request id once", async () => {
    const warehouse = await t.warehouse();
    const request = {
      sku: "RETRY-ADJ",
      warehouseId: warehouse.id,
      reason: AdjustmentReason.RECEIVED,
      change: delta(5),
      requestId: "grn-2024-0001",
    };
    const answers = await Promise.all([1, 2, 3].map(() => t.client.adjustStock(request, t.admin)));
    for (const answer of answers) expect(answer.adjustment).toEqual(answers[0]!.adjustment);
    const { stockLevels } = await t.client.listStockLevels({ sku: "RETRY-ADJ" }, t.admin);
    expect(stockLevels[0]!.onHand).toBe(5n);
    const reused = await failure(t.client.adjustStock({ ...request, sku: "OTHER-SKU" }, t.admin));
    expect(reused.code).toBe(Code.AlreadyExists);
  });

  it("names every bad field and requires the change that fits the reason", async () => {
    const error = await failure(
      t.client.adjustStock(
        {
          sku: "",
          warehouseId: "nope",
          reason: AdjustmentReason.RECEIVED,
          change: delta(-1),
          note: "x".repeat(501),
        },
        t.admin,
      ),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["sku", "warehouseId", "delta", "note"]);
    const warehouse = await t.warehouse();
    const count = await failure(
      t.client.adjustStock(
        { sku: "X", warehouseId: warehouse.id, reason: AdjustmentReason.COUNTED, change: delta(3) },
        t.admin,
      ),
    );
    expect(fieldViolations(count)).toEqual([
      { field: "countedQuantity", description: "is required for COUNTED" },
    ]);
    const noReason = await failure(
      t.client.adjustStock({ sku: "X", warehouseId: warehouse.id, change: delta(3) }, t.admin),
    );
    expect(fieldViolations(noReason).map((v) => v.field)).toEqual(["reason"]);
    const missing = await failure(
      t.client.adjustStock(
        { sku: "X", warehouseId: orderId(), reason: AdjustmentReason.RECEIVED, change: delta(3) },
        t.admin,
      ),
    );
    expect(missing.code).toBe(Code.NotFound);
  });

  it("is for inventory managers only", async () => {
    const warehouse = await t.warehouse();
    const request = {
      sku: "GUARDED",
      warehouseId: warehouse.id,
      reason: AdjustmentReason.RECEIVED,
      change: delta(1),
    };
    expect((await failure(t.client.adjustStock(request))).code).toBe(Code.Unauthenticated);
    expect((await failure(t.client.adjustStock(request, t.customer))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.adjustStock(request, t.support))).code).toBe(Code.PermissionDenied);
  });
});

describe("LowStock", () => {
  it("fires once when availability falls below the threshold, and again only after it was back", async () => {
    const warehouse = await t.warehouse();
    await t.receive("LOW-1", warehouse.id, 10);
    const set = await t.client.setLowStockThreshold({ sku: "LOW-1", lowStockThreshold: 5n }, t.admin);
    expect(set).toMatchObject({ lowStockThreshold: 5n, available: 10n, lowStock: false });

    const reserve = (quantity: number) =>
      t.order.reserve({ orderId: orderId(), lines: [{ sku: "LOW-1", quantity: BigInt(quantity) }] });
    await reserve(5); // 5 left: not below 5
    expect(await t.events(LowStockSchema, "LOW-1")).toEqual([]);
    const crossing = await reserve(1); // 4 left: below
    await reserve(1); // 3 left: still below, no second event
    await t.client.adjustStock(
      { sku: "LOW-1", warehouseId: warehouse.id, reason: AdjustmentReason.DAMAGED, change: delta(-1) },
      t.admin,
    );
    let events = await t.events(LowStockSchema, "LOW-1");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sku: "LOW-1", available: 4n, lowStockThreshold: 5n });

    // Released and received stock bring it back to 5 (re-armed); the next fall fires again.
    await t.order.releaseReservation({ orderId: crossing.reservation!.orderId });
    await t.receive("LOW-1", warehouse.id, 2);
    expect((await t.client.getAvailability({ skus: ["LOW-1"] })).items[0]!.available).toBe(5n);
    await reserve(1);
    events = await t.events(LowStockSchema, "LOW-1");
    expect(events.map((e) => e.available)).toEqual([4n, 4n]);
  });

  it("fires at once when a new threshold is above the current availability", async () => {
    const warehouse = await t.warehouse();
    await t.receive("LOW-2", warehouse.id, 2);
    const set = await t.client.setLowStockThreshold({ sku: "LOW-2", lowStockThreshold: 3n }, t.admin);
    expect(set.lowStock).toBe(true);
    await t.client.setLowStockThreshold({ sku: "LOW-2", lowStockThreshold: 4n }, t.admin);
    expect(await t.events(LowStockSchema, "LOW-2")).toHaveLength(1);
    const { stockLevels } = await t.client.listStockLevels({ sku: "LOW-2" }, t.admin);
    expect(stockLevels[0]!.lowStockThreshold).toBe(4n);
    // 0 turns it off (and re-arms it).
    const off = await t.client.setLowStockThreshold({ sku: "LOW-2", lowStockThreshold: 0n }, t.admin);
    expect(off.lowStock).toBe(false);
  });
});

describe("GetAvailability", () => {
  it("answers a batch in request order, summing active warehouses, with unknown SKUs at 0", async () => {
    const one = await t.warehouse();
    const two = await t.warehouse();
    const closed = await t.warehouse({ active: false });
    await t.receive("AV-1", one.id, 3);
    await t.receive("AV-1", two.id, 4);
    await t.receive("AV-2", closed.id, 9);
    await t.receive("AV-3", one.id, 1);
    await t.order.reserve({ orderId: orderId(), lines: [{ sku: "AV-3", quantity: 1n }] });

    const { items } = await t.client.getAvailability({ skus: ["AV-1", "UNKNOWN", "AV-2", "AV-3", "AV-1"] });
    expect(items.map(({ sku, available, inStock }) => ({ sku, available, inStock }))).toEqual([
      { sku: "AV-1", available: 7n, inStock: true },
      { sku: "UNKNOWN", available: 0n, inStock: false },
      { sku: "AV-2", available: 0n, inStock: false },
      { sku: "AV-3", available: 0n, inStock: false },
    ]);
    expect((await t.client.getAvailability({ skus: [] })).items).toEqual([]);
  });

  it("takes up to 500 SKUs and names bad ones", async () => {
    const many = Array.from({ length: 500 }, (_, i) => `BULK-${i}`);
    expect((await t.client.getAvailability({ skus: many })).items).toHaveLength(500);
    const tooMany = await failure(t.client.getAvailability({ skus: [...many, "ONE-MORE"] }));
    expect(fieldViolations(tooMany).map((v) => v.field)).toEqual(["skus"]);
    const bad = await failure(t.client.getAvailability({ skus: ["OK", "", "A,B"] }));
    expect(fieldViolations(bad).map((v) => v.field)).toEqual(["skus[1]", "skus[2]"]);
  });
});

describe("ListStockLevels and ListAdjustments", () => {
  it("page by (sku, warehouse) and newest first, with tokens bound to their filters", async () => {
    const one = await t.warehouse();
    const two = await t.warehouse();
    for (const sku of ["PG-A", "PG-B", "PG-C"]) {
      await t.receive(sku, one.id, 1);
      await t.receive(sku, two.id, 2);
    }
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await t.client.listStockLevels({ warehouseId: two.id, pageSize: 2, pageToken }, t.support);
      seen.push(...page.stockLevels.map((level) => level.sku));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["PG-A", "PG-B", "PG-C"]);

    const adjustments: bigint[] = [];
    do {
      const page = await t.client.listAdjustments({ warehouseId: one.id, pageSize: 2, pageToken }, t.support);
      adjustments.push(...page.adjustments.map((a) => a.onHandAfter));
      expect(page.adjustments.every((a) => a.warehouseId === one.id)).toBe(true);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(adjustments).toHaveLength(3);

    const first = await t.client.listStockLevels({ warehouseId: two.id, pageSize: 1 }, t.admin);
    const other = await failure(
      t.client.listStockLevels({ warehouseId: one.id, pageToken: first.nextPageToken }, t.admin),
    );
    expect(fieldViolations(other).map((v) => v.field)).toEqual(["pageToken"]);
    expect((await failure(t.client.listStockLevels({ sku: "PG-A" }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
  });
});
