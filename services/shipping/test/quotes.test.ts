import { ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startTestShipping, type TestShipping } from "./support.ts";

let t: TestShipping;

beforeAll(async () => {
  t = await startTestShipping();
});

afterAll(async () => {
  await t?.stop();
});

const to = (countryCode: string) => ({ countryCode, postalCode: "12345" });

describe("GetQuotes", () => {
  it("quotes standard and express for a domestic parcel, cheapest first, in the shop's currency", async () => {
    const { quotes } = await t.client.getQuotes({ destination: to("DE"), weightGrams: 800 });
    expect(
      quotes.map((q) => ({
        method: q.method,
        zone: q.zone,
        weightGrams: q.weightGrams,
        price: { amountMinor: q.price?.amountMinor, currency: q.price?.currency },
        days: [q.minDays, q.maxDays],
      })),
    ).toEqual([
      {
        method: ShippingMethod.STANDARD,
        zone: "domestic",
        weightGrams: 800,
        price: { amountMinor: 490n, currency: "EUR" },
        days: [1, 3],
      },
      {
        method: ShippingMethod.EXPRESS,
        zone: "domestic",
        weightGrams: 800,
        price: { amountMinor: 990n, currency: "EUR" },
        days: [1, 1],
      },
    ]);
  });

  it("prices EU and world destinations by their zone", async () => {
    const eu = await t.client.getQuotes({ destination: to("FR"), weightGrams: 1500 });
    expect(eu.quotes.map((q) => [q.zone, q.method, q.price?.amountMinor])).toEqual([
      ["eu", ShippingMethod.STANDARD, 1590n],
      ["eu", ShippingMethod.EXPRESS, 2990n],
    ]);
    const world = await t.client.getQuotes({ destination: to("US"), weightGrams: 1500 });
    expect(world.quotes.map((q) => [q.zone, q.method, q.price?.amountMinor])).toEqual([
      ["world", ShippingMethod.STANDARD, 2790n],
      ["world", ShippingMethod.EXPRESS, 4990n],
    ]);
  });

  it("sums the items' weights times quantities", async () => {
    const { quotes } = await t.client.getQuotes({
      destination: to("DE"),
      items: [
        { sku: "A", quantity: 3, weightGrams: 400 },
        { sku: "B", quantity: 1, weightGrams: 900 },
      ],
    });
    expect(quotes[0]?.weightGrams).toBe(2100);
    expect(quotes[0]?.price?.amountMinor).toBe(790n);
  });

  it("leaves out express where it does not take the weight", async () => {
    const { quotes } = await t.client.getQuotes({ destination: to("JP"), weightGrams: 12_000 });
    expect(quotes.map((q) => q.method)).toEqual([ShippingMethod.STANDARD]);
  });

  it("is FAILED_PRECONDITION SHIPPING_UNAVAILABLE when no method takes the parcel", async () => {
    const error = await failure(t.client.getQuotes({ destination: to("DE"), weightGrams: 30_001 }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(errorReason(error)).toBe("SHIPPING_UNAVAILABLE");
    const world = await failure(t.client.getQuotes({ destination: to("AU"), weightGrams: 25_000 }));
    expect(errorReason(world)).toBe("SHIPPING_UNAVAILABLE");
  });

  it("names destination.countryCode when it is not an upper-case ISO code", async () => {
    for (const countryCode of ["", "de", "XX", "DEU"]) {
      const error = await failure(t.client.getQuotes({ destination: to(countryCode), weightGrams: 100 }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error).map((v) => v.field)).toEqual(["destination.countryCode"]);
    }
  });

  it("names the weight when there is none, or it is negative", async () => {
    const none = await failure(t.client.getQuotes({ destination: to("DE") }));
    expect(fieldViolations(none).map((v) => v.field)).toEqual(["weightGrams"]);
    const negative = await failure(t.client.getQuotes({ destination: to("DE"), weightGrams: -1 }));
    expect(fieldViolations(negative).map((v) => v.field)).toEqual(["weightGrams"]);
    const item = await failure(
      t.client.getQuotes({ destination: to("DE"), items: [{ sku: "A", quantity: 0, weightGrams: 10 }] }),
    );
    expect(fieldViolations(item).map((v) => v.field)).toEqual(["items[0].quantity"]);
  });

  it("names a missing destination", async () => {
    const error = await failure(t.client.getQuotes({ weightGrams: 100 }));
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["destination"]);
  });

  it("is public: anyone may ask, a customer too", async () => {
    const { quotes } = await t.client.getQuotes({ destination: to("AT"), weightGrams: 100 }, t.customer);
    expect(quotes[0]?.zone).toBe("eu");
  });
});
