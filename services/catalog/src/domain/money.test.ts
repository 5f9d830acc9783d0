import { describe, expect, it } from "vitest";
import { checkPrice, MAX_PRICE_MINOR, priceBucketEdges } from "./money.ts";

describe("checkPrice", () => {
  it("accepts a price in the catalog currency and fills in an empty currency", () => {
    expect(checkPrice({ amountMinor: 1999n, currency: "EUR" }, "EUR", "variant.price")).toEqual({
      price: { amountMinor: 1999n, currency: "EUR" },
      violations: [],
    });
    expect(checkPrice({ amountMinor: 0n, currency: "" }, "EUR", "variant.price").price.currency).toBe("EUR");
  });

  it("names the bad part of the price", () => {
    const fields = (price: Parameters<typeof checkPrice>[0]) =>
      checkPrice(price, "EUR", "variants[1].price").violations.map((v) => v.field);
    expect(fields(undefined)).toEqual(["variants[1].price"]);
    expect(fields({ amountMinor: -1n, currency: "EUR" })).toEqual(["variants[1].price.amountMinor"]);
    expect(fields({ amountMinor: MAX_PRICE_MINOR + 1n, currency: "EUR" })).toEqual([
      "variants[1].price.amountMinor",
    ]);
    expect(fields({ amountMinor: 100n, currency: "USD" })).toEqual(["variants[1].price.currency"]);
  });
});

describe("priceBucketEdges", () => {
  it("scales the steps by the currency's minor unit", () => {
    expect(priceBucketEdges("EUR").slice(0, 4)).toEqual([0n, 1000n, 2500n, 5000n]);
    expect(priceBucketEdges("JPY").slice(0, 4)).toEqual([0n, 10n, 25n, 50n]);
  });
});
