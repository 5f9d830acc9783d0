import { create } from "@bufbuild/protobuf";
import { ProductSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { describe, expect, it } from "vitest";
import { cardJson, compactCardJson } from "./mappers.ts";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

describe("product cards", () => {
  it("take the price range and variant count from the catalog's summary (the BASIC view has no variants)", () => {
    const basic = create(ProductSchema, {
      id: "p1",
      slug: "tee",
      name: "Tee",
      priceFrom: eur(1500n),
      priceTo: eur(2500n),
      variantCount: 3,
    });
    expect(cardJson(basic)).toMatchObject({
      priceFrom: { amountMinor: 1500, currency: "EUR" },
      priceTo: { amountMinor: 2500, currency: "EUR" },
      variantCount: 3,
    });
    expect(compactCardJson(basic).priceFrom).toEqual({ amountMinor: 1500, currency: "EUR" });
  });

  it("fall back to the variants for an answer without the summary (one cached before it existed)", () => {
    const older = create(ProductSchema, {
      id: "p2",
      slug: "mug",
      name: "Mug",
      variants: [
        { sku: "M-1", price: eur(900n) },
        { sku: "M-2", price: eur(700n) },
      ],
    });
    expect(cardJson(older)).toMatchObject({
      priceFrom: { amountMinor: 700, currency: "EUR" },
      priceTo: { amountMinor: 900, currency: "EUR" },
      variantCount: 2,
    });
  });
});
