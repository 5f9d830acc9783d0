import type { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { averageOrderValue, cartConversion, checkoutSuccessRate, dashboardQuery } from "./dashboard.ts";

const today = new Date("2026-03-15T18:00:00Z");
const request = { startDate: "", endDate: "", currency: "", topProductsLimit: 0 };

function violations(input: Partial<typeof request>): string[] {
  try {
    dashboardQuery({ ...request, ...input }, today);
  } catch (error) {
    return (error as DomainError).violations?.map((v) => v.field) ?? [];
  }
  return [];
}

describe("dashboardQuery", () => {
  it("defaults to the 30 days ending today and 10 top products", () => {
    expect(dashboardQuery(request, today)).toEqual({
      range: { start: "2026-02-14", end: "2026-03-15" },
      currency: "",
      topProducts: 10,
    });
  });

  it("takes a range, a currency and clamps the top products", () => {
    expect(
      dashboardQuery(
        { startDate: "2026-01-01", endDate: "2026-01-31", currency: "EUR", topProductsLimit: 500 },
        today,
      ),
    ).toEqual({ range: { start: "2026-01-01", end: "2026-01-31" }, currency: "EUR", topProducts: 100 });
  });

  it("names every bad field", () => {
    expect(violations({ startDate: "2026-02-30", currency: "eur", topProductsLimit: -1 })).toEqual([
      "startDate",
      "currency",
      "topProductsLimit",
    ]);
    expect(violations({ startDate: "2026-03-10", endDate: "2026-03-01" })).toEqual(["endDate"]);
    expect(violations({ startDate: "2024-01-01", endDate: "2025-12-31" })).toEqual(["endDate"]);
  });
});

describe("averageOrderValue", () => {
  it("rounds half up to a whole minor unit", () => {
    expect(averageOrderValue(1000n, 3n)).toBe(333n);
    expect(averageOrderValue(1001n, 2n)).toBe(501n);
    expect(averageOrderValue(-1001n, 2n)).toBe(-501n);
    expect(averageOrderValue(500n, 0n)).toBe(0n);
  });
});

describe("checkoutSuccessRate", () => {
  it("is confirmed over placed, 0 without checkouts", () => {
    expect(checkoutSuccessRate(3n, 4n)).toBe(0.75);
    expect(checkoutSuccessRate(0n, 0n)).toBe(0);
  });
});

describe("cartConversion", () => {
  it("is orders placed over carts created, 0 without carts, and may pass 1", () => {
    expect(cartConversion(1n, 4n)).toBe(0.25);
    expect(cartConversion(3n, 0n)).toBe(0);
    expect(cartConversion(3n, 2n)).toBe(1.5);
  });
});
