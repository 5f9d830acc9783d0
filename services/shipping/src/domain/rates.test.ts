import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { MAX_PARCEL_GRAMS, quoteFor, quotesFor, RATES } from "./rates.ts";

function unavailable(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(isDomainError(error, "failed_precondition")).toBe(true);
    return error as { reason?: string; metadata: Record<string, string> };
  }
  throw new Error("expected SHIPPING_UNAVAILABLE");
}

describe("the rate table", () => {
  it("has bands in ascending weight and prices that never drop with weight", () => {
    for (const zones of Object.values(RATES)) {
      for (const rate of Object.values(zones)) {
        const bands = rate?.bands ?? [];
        for (let i = 1; i < bands.length; i++) {
          expect(bands[i]!.maxGrams).toBeGreaterThan(bands[i - 1]!.maxGrams);
          expect(bands[i]!.priceMinor).toBeGreaterThanOrEqual(bands[i - 1]!.priceMinor);
        }
        expect(rate!.minDays).toBeLessThanOrEqual(rate!.maxDays);
      }
    }
  });

  it("takes no parcel over the maximum parcel weight", () => {
    for (const zones of Object.values(RATES)) {
      for (const rate of Object.values(zones)) {
        expect(rate!.bands.at(-1)!.maxGrams).toBeLessThanOrEqual(MAX_PARCEL_GRAMS);
      }
    }
  });
});

describe("quoteFor", () => {
  it("prices by the band the weight falls in, band limits inclusive", () => {
    expect(quoteFor("standard", "domestic", 1, "EUR")?.priceMinor).toBe(490);
    expect(quoteFor("standard", "domestic", 1000, "EUR")?.priceMinor).toBe(490);
    expect(quoteFor("standard", "domestic", 1001, "EUR")?.priceMinor).toBe(590);
    expect(quoteFor("standard", "eu", 4999, "EUR")?.priceMinor).toBe(1990);
    expect(quoteFor("standard", "domestic", 30_000, "EUR")?.priceMinor).toBe(1890);
  });

  it("answers the method's zone, weight, currency and delivery days", () => {
    expect(quoteFor("express", "eu", 1500, "EUR")).toEqual({
      method: "express",
      zone: "eu",
      weightGrams: 1500,
      priceMinor: 2990,
      currency: "EUR",
      minDays: 1,
      maxDays: 3,
    });
  });

  it("has nothing for a parcel over the method's heaviest band", () => {
    expect(quoteFor("standard", "domestic", 30_001, "EUR")).toBeUndefined();
    expect(quoteFor("standard", "world", 20_001, "EUR")).toBeUndefined();
    expect(quoteFor("express", "world", 10_001, "EUR")).toBeUndefined();
  });
});

describe("quotesFor", () => {
  it("lists every method serving the parcel, cheapest first", () => {
    const quotes = quotesFor("domestic", 800, "EUR");
    expect(quotes.map((q) => [q.method, q.priceMinor])).toEqual([
      ["standard", 490],
      ["express", 990],
    ]);
  });

  it("leaves out methods that do not take the weight", () => {
    expect(quotesFor("world", 15_000, "EUR").map((q) => q.method)).toEqual(["standard"]);
    expect(quotesFor("eu", 25_000, "EUR").map((q) => q.method)).toEqual(["standard"]);
  });

  it("is SHIPPING_UNAVAILABLE when no method takes the parcel", () => {
    const error = unavailable(() => quotesFor("world", 20_001, "EUR"));
    expect(error.reason).toBe("SHIPPING_UNAVAILABLE");
    expect(error.metadata).toEqual({ zone: "world", weight_grams: "20001" });
    expect(unavailable(() => quotesFor("domestic", MAX_PARCEL_GRAMS + 1, "EUR")).reason).toBe(
      "SHIPPING_UNAVAILABLE",
    );
  });
});
