import { describe, expect, it } from "vitest";
import { parcelWeight } from "./parcel.ts";

describe("parcelWeight", () => {
  it("sums unit weight times quantity over the items", () => {
    expect(
      parcelWeight({
        items: [
          { sku: "A", quantity: 2, weightGrams: 250 },
          { sku: "B", quantity: 1, weightGrams: 1200 },
        ],
        weightGrams: 0,
      }),
    ).toEqual({ weightGrams: 1700, violations: [] });
  });

  it("takes weightGrams when there are no items", () => {
    expect(parcelWeight({ items: [], weightGrams: 900 })).toEqual({ weightGrams: 900, violations: [] });
  });

  it("accepts both when they agree, and names weightGrams when they do not", () => {
    const items = [{ sku: "A", quantity: 2, weightGrams: 100 }];
    expect(parcelWeight({ items, weightGrams: 200 }).weightGrams).toBe(200);
    expect(parcelWeight({ items, weightGrams: 300 }).violations).toEqual([
      { field: "weightGrams", description: "must be 0 or the items' total weight (200 g)" },
    ]);
  });

  it("refuses a parcel of no weight", () => {
    expect(parcelWeight({ items: [], weightGrams: 0 }).violations[0]?.field).toBe("weightGrams");
    expect(
      parcelWeight({ items: [{ sku: "A", quantity: 3, weightGrams: 0 }], weightGrams: 0 }).violations,
    ).toEqual([{ field: "items", description: "must weigh more than 0 g in total" }]);
    expect(parcelWeight({ items: [], weightGrams: -5 }).violations).toEqual([
      { field: "weightGrams", description: "must not be negative" },
    ]);
  });

  it("names each bad item field", () => {
    const { violations } = parcelWeight(
      {
        items: [
          { sku: "", quantity: 0, weightGrams: 10 },
          { sku: "B", quantity: 1, weightGrams: -1 },
        ],
        weightGrams: 0,
      },
      { requireSku: true },
    );
    expect(violations.map((v) => v.field)).toEqual([
      "items[0].sku",
      "items[0].quantity",
      "items[1].weightGrams",
    ]);
  });

  it("does not ask for SKUs when quoting", () => {
    expect(
      parcelWeight({ items: [{ sku: "", quantity: 1, weightGrams: 10 }], weightGrams: 0 }).violations,
    ).toEqual([]);
  });

  it("refuses a total beyond what int32 carries", () => {
    const items = Array.from({ length: 3 }, (_, i) => ({
      sku: `S${i}`,
      quantity: 1_000_000,
      weightGrams: 1_000_000,
    }));
    expect(parcelWeight({ items, weightGrams: 0 }).violations).toEqual([
      { field: "items", description: "weigh too much in total" },
    ]);
  });
});
