import { describe, expect, it } from "vitest";
import { checkSku, checkVariantFields, VARIANT_WRITABLE } from "./variant.ts";

describe("checkSku", () => {
  it("accepts letters, digits, dots, dashes and underscores up to 64", () => {
    expect(checkSku("TEE-RED_M.2", "sku")).toEqual([]);
    expect(checkSku("A".repeat(64), "sku")).toEqual([]);
  });

  it.each(["", "-LEADING", "WITH SPACE", "A".repeat(65), "ÜMLAUT"])("rejects %j", (sku) => {
    expect(checkSku(sku, "variant.sku")).toHaveLength(1);
  });
});

describe("checkVariantFields", () => {
  const check = (input: Partial<Parameters<typeof checkVariantFields>[0]>) =>
    checkVariantFields(
      {
        sku: "A-1",
        title: "",
        optionValues: {},
        price: { amountMinor: 100n, currency: "EUR" },
        weightGrams: 0,
        ...input,
      },
      VARIANT_WRITABLE,
      "variant",
      "EUR",
    );

  it("normalises option values and titles", () => {
    const { value, violations } = check({ optionValues: { " colour ": " dark  red ", size: "M" } });
    expect(violations).toEqual([]);
    expect(value).toMatchObject({ optionValues: { colour: "dark red", size: "M" }, title: "dark red / M" });
  });

  it("names every bad field", () => {
    const { violations } = check({
      sku: "",
      title: "x".repeat(201),
      optionValues: { "": "x", size: "" },
      price: undefined,
      weightGrams: 1_000_001,
    });
    expect(violations.map((v) => v.field)).toEqual([
      "variant.sku",
      'variant.optionValues[""]',
      'variant.optionValues["size"]',
      "variant.title",
      "variant.price",
      "variant.weightGrams",
    ]);
  });

  it("checks only the selected fields", () => {
    const { violations } = checkVariantFields(
      { sku: "", title: "", optionValues: {}, price: undefined, weightGrams: -1 },
      ["title"],
      "variant",
      "EUR",
    );
    expect(violations).toEqual([]);
  });
});
