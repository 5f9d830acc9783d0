import { describe, expect, it } from "vitest";
import { allocate, type WarehouseStock } from "./allocation.ts";

const stock = (sku: string, warehouseId: string, priority: number, available: number): WarehouseStock => ({
  sku,
  warehouseId,
  code: warehouseId.toUpperCase(),
  priority,
  available,
});

describe("allocate", () => {
  it("takes the whole order from the first warehouse, by priority, that has every line", () => {
    const result = allocate(
      [
        { sku: "A", quantity: 2 },
        { sku: "B", quantity: 1 },
      ],
      [
        stock("A", "w1", 1, 5),
        stock("A", "w2", 2, 5),
        stock("B", "w2", 2, 1),
        stock("A", "w3", 3, 9),
        stock("B", "w3", 3, 9),
      ],
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { sku: "A", quantity: 2, allocations: [{ warehouseId: "w2", quantity: 2 }] },
        { sku: "B", quantity: 1, allocations: [{ warehouseId: "w2", quantity: 1 }] },
      ],
    });
  });

  it("takes each line whole from its first warehouse that can fill it when no warehouse has the whole order", () => {
    const result = allocate(
      [
        { sku: "A", quantity: 2 },
        { sku: "B", quantity: 3 },
      ],
      [stock("A", "w1", 1, 1), stock("A", "w2", 2, 2), stock("B", "w1", 1, 3), stock("B", "w2", 2, 1)],
    );
    expect(result.ok && result.lines.map((line) => line.allocations)).toEqual([
      [{ warehouseId: "w2", quantity: 2 }],
      [{ warehouseId: "w1", quantity: 3 }],
    ]);
  });

  it("splits a line no single warehouse can fill, taking all it can from each in priority order", () => {
    const result = allocate(
      [{ sku: "A", quantity: 7 }],
      [stock("A", "w3", 3, 10), stock("A", "w1", 1, 4), stock("A", "w2", 2, 2)],
    );
    expect(result.ok && result.lines[0]!.allocations).toEqual([{ warehouseId: "w3", quantity: 7 }]);

    const split = allocate(
      [{ sku: "A", quantity: 7 }],
      [stock("A", "w3", 3, 3), stock("A", "w1", 1, 4), stock("A", "w2", 2, 2)],
    );
    expect(split.ok && split.lines[0]!.allocations).toEqual([
      { warehouseId: "w1", quantity: 4 },
      { warehouseId: "w2", quantity: 2 },
      { warehouseId: "w3", quantity: 1 },
    ]);
  });

  it("breaks priority ties by warehouse code", () => {
    const result = allocate(
      [{ sku: "A", quantity: 1 }],
      [
        { sku: "A", warehouseId: "id-1", code: "ZED", priority: 1, available: 5 },
        { sku: "A", warehouseId: "id-2", code: "ALPHA", priority: 1, available: 5 },
      ],
    );
    expect(result.ok && result.lines[0]!.allocations).toEqual([{ warehouseId: "id-2", quantity: 1 }]);
  });

  it("allocates nothing and lists every short line with what exists when any line cannot be filled", () => {
    const result = allocate(
      [
        { sku: "A", quantity: 2 },
        { sku: "B", quantity: 5 },
        { sku: "C", quantity: 1 },
      ],
      [stock("A", "w1", 1, 9), stock("B", "w1", 1, 2), stock("B", "w2", 2, 2), stock("C", "w1", 1, 0)],
    );
    expect(result).toEqual({
      ok: false,
      shortages: [
        { sku: "B", requested: 5, available: 4 },
        { sku: "C", requested: 1, available: 0 },
      ],
    });
  });

  it("fills exactly the last units across warehouses", () => {
    const result = allocate([{ sku: "A", quantity: 10 }], [stock("A", "w1", 1, 6), stock("A", "w2", 2, 4)]);
    expect(result.ok && result.lines[0]!.allocations).toEqual([
      { warehouseId: "w1", quantity: 6 },
      { warehouseId: "w2", quantity: 4 },
    ]);
    expect(allocate([{ sku: "A", quantity: 11 }], [stock("A", "w1", 1, 6), stock("A", "w2", 2, 4)]).ok).toBe(
      false,
    );
  });
});
