import { describe, expect, it } from "vitest";
import { checkSku } from "./sku.ts";
import { createWarehouse, updateWarehouse } from "./warehouse.ts";

const NOW = new Date("2030-01-01T00:00:00Z");
const INPUT = {
  code: "ber-1",
  name: "Berlin",
  address: { line1: "Str. 1", city: "Berlin", postalCode: "10115", countryCode: "de" },
  priority: 1,
  active: true,
};

describe("warehouses", () => {
  it("normalises code and country and records WarehouseCreated", () => {
    const { warehouse, events } = createWarehouse(INPUT, { id: "w1", now: NOW });
    expect(warehouse).toMatchObject({
      code: "BER-1",
      address: { countryCode: "DE", line2: "" },
      active: true,
    });
    expect(events).toHaveLength(1);
  });

  it("updates the masked fields only, and nothing when nothing changes", () => {
    const { warehouse } = createWarehouse(INPUT, { id: "w1", now: NOW });
    const later = new Date("2030-01-02T00:00:00Z");
    const change = updateWarehouse(warehouse, { name: "Berlin Süd", priority: 7 }, ["name"], { now: later });
    expect(change.warehouse).toMatchObject({ name: "Berlin Süd", priority: 1, updateTime: later });
    expect(change.events[0]!.data).toMatchObject({ changedFields: ["name"] });
    const same = updateWarehouse(warehouse, { name: "Berlin" }, ["name"], { now: later });
    expect(same).toEqual({ warehouse, events: [] });
    expect(() => updateWarehouse(warehouse, { priority: -1 }, ["priority"], { now: later })).toThrow(
      /priority/,
    );
  });
});

describe("checkSku", () => {
  it("accepts catalog-style SKUs and refuses empty, long, spaced or comma SKUs", () => {
    expect(checkSku("TSHIRT-RED-XL", "sku")).toEqual([]);
    expect(checkSku("sku_ä/1.2", "sku")).toEqual([]);
    for (const bad of ["", "x".repeat(65), "A B", "A,B", "A\u0000"])
      expect(checkSku(bad, "sku")).toHaveLength(1);
  });
});
