import { describe, expect, it } from "vitest";
import { checkSlug, disambiguateSlug, MAX_SLUG_LENGTH, slugify } from "./slug.ts";

describe("checkSlug", () => {
  it("accepts lower case words joined by single hyphens", () => {
    expect(checkSlug("trail-runner-2", "slug")).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["Trail-Runner", "single hyphens"],
    ["trail--runner", "single hyphens"],
    ["-trail", "single hyphens"],
    ["trail_runner", "single hyphens"],
    ["0190f3a4-7b2c-7d3e-8f40-123456789abc", "UUID"],
    ["a".repeat(MAX_SLUG_LENGTH + 1), "at most"],
  ])("rejects %j naming the field", (slug, description) => {
    const [violation] = checkSlug(slug, "product.slug");
    expect(violation?.field).toBe("product.slug");
    expect(violation?.description).toContain(description);
  });
});

describe("slugify", () => {
  it("drops accents and joins words with hyphens", () => {
    expect(slugify("  Crème Brûlée — 250 g! ", "product")).toBe("creme-brulee-250-g");
    expect(slugify("Straße", "product")).toBe("strasse");
  });

  it("falls back when nothing usable is left", () => {
    expect(slugify("★★★", "category")).toBe("category");
    expect(slugify("日本語", "product")).toBe("product");
  });

  it("cuts long names at a word boundary and always gives a valid slug", () => {
    const slug = slugify(`${"word ".repeat(40)}end`, "product");
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug.endsWith("-")).toBe(false);
    expect(checkSlug(slug, "slug")).toEqual([]);
    expect(checkSlug(slugify("0190f3a4-7b2c-7d3e-8f40-123456789abc", "p"), "slug")).toEqual([]);
  });
});

describe("disambiguateSlug", () => {
  it("appends the unique part and stays valid at the maximum length", () => {
    expect(disambiguateSlug("shoe", "0190f3a4-7b2c-7d3e-8f40-123456789abc")).toBe("shoe-56789abc");
    const long = disambiguateSlug("a".repeat(MAX_SLUG_LENGTH), "0190f3a4-7b2c-7d3e-8f40-123456789abc");
    expect(long.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(checkSlug(long, "slug")).toEqual([]);
  });
});
