import { describe, expect, it } from "vitest";
import { checkThreshold, evaluateLowStock } from "./low-stock.ts";

describe("evaluateLowStock", () => {
  const armed = { sku: "A", threshold: 5, low: false };

  it("fires once when availability falls below the threshold", () => {
    expect(evaluateLowStock(armed, 5).events).toEqual([]);
    const crossed = evaluateLowStock(armed, 4);
    expect(crossed.alert.low).toBe(true);
    expect(crossed.events).toHaveLength(1);
    expect(crossed.events[0]!.data).toMatchObject({ sku: "A", available: 4n, lowStockThreshold: 5n });
    const still = evaluateLowStock(crossed.alert, 1);
    expect(still.events).toEqual([]);
    expect(still.alert).toBe(crossed.alert);
  });

  it("re-arms when availability is back at the threshold", () => {
    const back = evaluateLowStock({ ...armed, low: true }, 5);
    expect(back).toEqual({ alert: armed, events: [] });
    expect(evaluateLowStock(back.alert, 0).events).toHaveLength(1);
  });

  it("never fires with threshold 0", () => {
    expect(evaluateLowStock({ sku: "A", threshold: 0, low: false }, 0).events).toEqual([]);
    expect(evaluateLowStock({ sku: "A", threshold: 0, low: true }, 0).alert.low).toBe(false);
  });

  it("checks thresholds", () => {
    expect(checkThreshold(0, "t")).toEqual([]);
    expect(checkThreshold(-1, "t")).toHaveLength(1);
    expect(checkThreshold(1.5, "t")).toHaveLength(1);
  });
});
