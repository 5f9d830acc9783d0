import { describe, expect, it } from "vitest";
import { variant } from "../../test/fixtures.ts";
import { addItem, type Cart, newCart } from "./cart.ts";
import { priceCart } from "./pricing.ts";
import type { Stock, Variant } from "./sources.ts";

const t0 = new Date("2025-05-01T10:00:00Z");

function cart(items: [sku: string, quantity: number, amountMinor: bigint][]): Cart {
  let result = newCart({ id: "c1", userId: "u1", now: t0 });
  for (const [sku, quantity, amount] of items) {
    result = addItem(result, { sku, quantity }, variant(sku, amount), t0);
  }
  return result;
}

const catalog = (...variants: Variant[]) => new Map(variants.map((v) => [v.sku, v]));
const inventory = (...stock: [string, bigint][]) =>
  new Map<string, Stock>(stock.map(([sku, available]) => [sku, { sku, available, inStock: available > 0n }]));

describe("priceCart", () => {
  it("multiplies unit prices by quantities and sums them, without rounding", () => {
    const priced = priceCart(
      cart([
        ["A", 3, 1999n],
        ["B", 2, 9_007_199_254_740_993n],
      ]),
      catalog(variant("A", 1999n), variant("B", 9_007_199_254_740_993n)),
      inventory(["A", 10n], ["B", 10n]),
    );
    expect(priced.lines.map((line) => line.lineTotal.amountMinor)).toEqual([5997n, 18_014_398_509_481_986n]);
    expect(priced.subtotal).toEqual({ amountMinor: 18_014_398_509_487_983n, currency: "EUR" });
    expect(priced.itemCount).toBe(5);
  });

  it("prices lines with catalog's current price and flags those that changed since added", () => {
    const priced = priceCart(
      cart([
        ["A", 1, 1000n],
        ["B", 1, 500n],
      ]),
      catalog(variant("A", 1200n), variant("B", 500n)),
      inventory(["A", 5n], ["B", 5n]),
    );
    expect(priced.lines[0]).toMatchObject({
      unitPrice: { amountMinor: 1200n },
      priceWhenAdded: { amountMinor: 1000n },
      priceChanged: true,
    });
    expect(priced.lines[1]!.priceChanged).toBe(false);
    expect(priced.subtotal.amountMinor).toBe(1700n);
  });

  it("flags lines inventory cannot fill: out of stock, fewer units than the quantity, unknown SKU", () => {
    const priced = priceCart(
      cart([
        ["A", 2, 100n],
        ["B", 3, 100n],
        ["C", 1, 100n],
        ["D", 1, 100n],
      ]),
      catalog(variant("A", 100n), variant("B", 100n), variant("C", 100n), variant("D", 100n)),
      inventory(["A", 2n], ["B", 2n], ["C", 0n]),
    );
    expect(priced.lines.map((line) => [line.sku, line.available, line.availableQuantity])).toEqual([
      ["A", true, 2n],
      ["B", false, 2n],
      ["C", false, 0n],
      ["D", false, 0n],
    ]);
    // Out-of-stock lines still count: stock may come back before checkout.
    expect(priced.subtotal.amountMinor).toBe(700n);
  });

  it("keeps lines catalog no longer sells out of the subtotal", () => {
    const priced = priceCart(
      cart([
        ["A", 1, 100n],
        ["GONE", 2, 300n],
        ["DRAFT", 1, 50n],
      ]),
      catalog(variant("A", 100n), variant("DRAFT", 50n, { purchasable: false })),
      inventory(["A", 1n]),
    );
    expect(priced.lines[1]).toMatchObject({
      sku: "GONE",
      purchasable: false,
      productName: "Product GONE",
      unitPrice: { amountMinor: 300n },
      priceChanged: false,
    });
    expect(priced.lines[2]!.purchasable).toBe(false);
    expect(priced.subtotal.amountMinor).toBe(100n);
    expect(priced.itemCount).toBe(4);
  });

  it("treats a line catalog now prices in another currency as changed and not purchasable", () => {
    const priced = priceCart(
      cart([
        ["A", 1, 100n],
        ["B", 1, 100n],
      ]),
      catalog(variant("A", 100n), variant("B", 100n, { price: { amountMinor: 100n, currency: "USD" } })),
      inventory(["A", 1n], ["B", 1n]),
    );
    expect(priced.lines[1]).toMatchObject({ purchasable: false, priceChanged: true });
    expect(priced.subtotal).toEqual({ amountMinor: 100n, currency: "EUR" });
  });

  it("prices an empty cart at zero without a currency", () => {
    const priced = priceCart(cart([]), new Map(), new Map());
    expect(priced).toMatchObject({ lines: [], itemCount: 0, subtotal: { amountMinor: 0n, currency: "" } });
  });

  it("takes names, images and links from catalog", () => {
    const priced = priceCart(cart([["A", 1, 100n]]), catalog(variant("A", 100n)), inventory(["A", 1n]));
    expect(priced.lines[0]).toMatchObject({
      productName: "Product A",
      title: "Blue / M",
      imageUrl: "https://img.example/A.jpg",
      productId: "p-A",
      variantId: "v-A",
      productSlug: "product-a",
      weightGrams: 250,
      purchasable: true,
    });
  });
});
