import { describe, expect, it } from "vitest";
import { DEMO_PRODUCT_COUNT, generateDemoCatalog, slugify } from "./generate.ts";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

describe("generateDemoCatalog", () => {
  it("gives the same catalog for the same seed and a different one for another seed", () => {
    const first = generateDemoCatalog({ products: 200, seed: 7 });
    expect(generateDemoCatalog({ products: 200, seed: 7 })).toEqual(first);
    expect(generateDemoCatalog({ products: 200, seed: 8 }).products).not.toEqual(first.products);
  });

  it("makes at least 1,000 products by default in a three-level tree of 8 departments", () => {
    const catalog = generateDemoCatalog();
    expect(catalog.products).toHaveLength(DEMO_PRODUCT_COUNT);
    expect(DEMO_PRODUCT_COUNT).toBeGreaterThanOrEqual(1000);
    const roots = catalog.categories.filter((c) => c.parentSlug === "");
    expect(roots).toHaveLength(8);
    const depth = (slug: string): number => {
      const category = catalog.categories.find((c) => c.slug === slug);
      return category?.parentSlug ? depth(category.parentSlug) + 1 : 0;
    };
    expect(Math.max(...catalog.categories.map((c) => depth(c.slug)))).toBe(2);
  });

  it("lists parents before children and puts products only in existing leaf categories", () => {
    const catalog = generateDemoCatalog({ products: 300 });
    const seen = new Set<string>();
    for (const category of catalog.categories) {
      if (category.parentSlug) expect(seen.has(category.parentSlug)).toBe(true);
      seen.add(category.slug);
    }
    const parents = new Set(catalog.categories.map((c) => c.parentSlug));
    for (const product of catalog.products) {
      for (const slug of product.categorySlugs) {
        expect(seen.has(slug)).toBe(true);
        expect(parents.has(slug)).toBe(false);
      }
    }
  });

  it("keeps slugs and SKUs unique and well-formed over 10,000 products", () => {
    const catalog = generateDemoCatalog({ products: 10_000 });
    const productSlugs = catalog.products.map((p) => p.slug);
    const categorySlugs = catalog.categories.map((c) => c.slug);
    const skus = catalog.products.flatMap((p) => p.variants.map((v) => v.sku));
    expect(new Set(productSlugs).size).toBe(productSlugs.length);
    expect(new Set(categorySlugs).size).toBe(categorySlugs.length);
    expect(new Set(skus).size).toBe(skus.length);
    for (const slug of [...productSlugs, ...categorySlugs]) {
      expect(slug).toMatch(SLUG);
      expect(slug.length).toBeLessThanOrEqual(100);
    }
    for (const sku of skus) expect(sku).toMatch(SKU);
  });

  it("gives every product 1 to 4 priced, weighed variants with distinct option values", () => {
    const catalog = generateDemoCatalog({ products: 1000 });
    const counts = new Set<number>();
    for (const product of catalog.products) {
      expect(product.variants.length).toBeGreaterThanOrEqual(1);
      expect(product.variants.length).toBeLessThanOrEqual(4);
      counts.add(product.variants.length);
      const options = product.variants.map((v) => JSON.stringify(v.optionValues));
      expect(new Set(options).size).toBe(options.length);
      for (const variant of product.variants) {
        expect(Number.isInteger(variant.priceMinor)).toBe(true);
        expect(variant.priceMinor).toBeGreaterThan(0);
        expect(variant.weightGrams).toBeGreaterThan(0);
        expect(Object.keys(variant.optionValues).length).toBeGreaterThan(0);
      }
      expect(product.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(["brand", "material"]));
      expect(product.name.length).toBeLessThanOrEqual(200);
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
  });

  it("stocks every SKU in one of two prioritised warehouses, some sold out and some low", () => {
    const catalog = generateDemoCatalog({ products: 1000 });
    expect(catalog.warehouses.map((w) => w.priority)).toEqual([1, 2]);
    for (const warehouse of catalog.warehouses) {
      expect(warehouse.address).toMatchObject({
        line1: expect.any(String),
        city: expect.any(String),
        postalCode: expect.any(String),
        countryCode: expect.stringMatching(/^[A-Z]{2}$/),
      });
    }
    const codes = new Set(catalog.warehouses.map((w) => w.code));
    const stocked = new Set(catalog.stock.map((s) => s.sku));
    for (const sku of catalog.products.flatMap((p) => p.variants.map((v) => v.sku))) {
      expect(stocked.has(sku)).toBe(true);
    }
    for (const entry of catalog.stock) expect(codes.has(entry.warehouseCode)).toBe(true);
    const totals = new Map<string, number>();
    for (const entry of catalog.stock) totals.set(entry.sku, (totals.get(entry.sku) ?? 0) + entry.quantity);
    const values = [...totals.values()];
    expect(values.filter((q) => q === 0).length).toBeGreaterThan(0);
    expect(values.filter((q) => q >= 1 && q <= 3).length).toBeGreaterThan(0);
    expect(values.filter((q) => q > 3).length).toBeGreaterThan(values.length / 2);
  });

  it("rejects a negative product count", () => {
    expect(() => generateDemoCatalog({ products: -1 })).toThrow(/products/);
  });
});

describe("slugify", () => {
  it("keeps lower case letters, digits and single hyphens", () => {
    expect(slugify("Women's Tops & More")).toBe("womens-tops-more");
    expect(slugify("  Café  Crème 2 ")).toBe("cafe-creme-2");
  });
});
