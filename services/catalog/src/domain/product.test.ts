import {
  PriceChangedSchema,
  ProductArchivedSchema,
  ProductCreatedSchema,
  ProductUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  addVariant,
  archiveProduct,
  canTransition,
  createProduct,
  type Product,
  type ProductInput,
  removeVariant,
  updateProduct,
  updateVariant,
  type VariantInput,
} from "./product.ts";

const T0 = new Date("2026-01-01T00:00:00Z");
const T1 = new Date("2026-01-02T00:00:00Z");
const ID = "0190f3a4-7b2c-7d3e-8f40-000000000001";

const input = (overrides: Partial<ProductInput> = {}): ProductInput => ({
  slug: "",
  name: "Trail Shoe",
  description: "",
  state: undefined,
  categoryIds: [],
  attributes: [],
  images: [],
  ...overrides,
});

const variant = (sku: string, size: string, amountMinor = 1000n): VariantInput => ({
  sku,
  title: "",
  optionValues: { size },
  price: { amountMinor, currency: "EUR" },
  weightGrams: 300,
});

let ids = 0;
const options = { id: ID, now: T0, currency: "EUR", newVariantId: () => `v${++ids}`, field: "product" };

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error("expected a DomainError");
}

function product(
  overrides: Partial<ProductInput> = {},
  variants = [variant("S-1", "S"), variant("M-1", "M")],
): Product {
  return createProduct(input({ state: "active", ...overrides }), variants, options).product;
}

describe("createProduct", () => {
  it("makes a DRAFT at version 1 with a slug from the name and titles from the options", () => {
    const change = createProduct(input({ name: "  Crème   Brûlée Set " }), [variant("CB-1", "M")], options);
    expect(change.product).toMatchObject({
      name: "Crème Brûlée Set",
      slug: "creme-brulee-set",
      state: "draft",
      version: 1,
      variants: [{ sku: "CB-1", title: "M", price: { amountMinor: 1000n, currency: "EUR" } }],
    });
    expect(change.slugDerived).toBe(true);
    expect(change.events.map((e) => e.type)).toEqual([ProductCreatedSchema]);
  });

  it("refuses an ACTIVE product without variants and an ARCHIVED new product", () => {
    expect(errorOf(() => createProduct(input({ state: "active" }), [], options)).violations).toEqual([
      { field: "product.state", description: "an ACTIVE product needs at least one variant" },
    ]);
    expect(
      errorOf(() => createProduct(input({ state: "archived" }), [variant("A-1", "S")], options)).kind,
    ).toBe("invalid");
  });

  it("names duplicate SKUs and option values within the product", () => {
    const error = errorOf(() =>
      createProduct(input(), [variant("A-1", "S"), variant("a-1", "M"), variant("B-1", "S")], options),
    );
    expect(error.violations.map((v) => v.field)).toEqual([
      "product.variants[1].sku",
      "product.variants[2].optionValues",
    ]);
  });

  it("normalises attributes and drops exact duplicates", () => {
    const { product } = createProduct(
      input({
        attributes: [
          { name: " brand ", value: "Acme" },
          { name: "brand", value: "Acme" },
          { name: "material", value: "mesh  and  rubber" },
        ],
      }),
      [],
      options,
    );
    expect(product.attributes).toEqual([
      { name: "brand", value: "Acme" },
      { name: "material", value: "mesh and rubber" },
    ]);
  });
});

describe("state transitions", () => {
  it.each([
    ["draft", "active", true],
    ["active", "draft", true],
    ["active", "archived", true],
    ["draft", "archived", true],
    ["archived", "draft", true],
    ["archived", "active", false],
  ] as const)("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it("publishing needs a variant, and archiving records ProductArchived with the SKUs", () => {
    const empty = createProduct(input(), [], options).product;
    const error = errorOf(() =>
      updateProduct(empty, input({ state: "active" }), ["state"], { now: T1, field: "product" }),
    );
    expect(error.kind).toBe("failed_precondition");

    const archived = archiveProduct(product(), { now: T1 });
    expect(archived.product).toMatchObject({ state: "archived", version: 2, updateTime: T1 });
    expect(archived.events.map((e) => e.type)).toEqual([ProductUpdatedSchema, ProductArchivedSchema]);
    expect(archived.events[1]?.data).toMatchObject({ skus: ["S-1", "M-1"] });
    expect(archiveProduct(archived.product, { now: T1 }).events).toEqual([]);
  });
});

describe("updateProduct", () => {
  it("writes only the selected fields and reports them", () => {
    const before = product();
    const change = updateProduct(before, input({ name: "New Name", description: "not selected" }), ["name"], {
      now: T1,
      version: 1,
      field: "product",
    });
    expect(change.product).toMatchObject({ name: "New Name", description: "", version: 2 });
    expect(change.changed).toEqual(["name"]);
  });

  it("rejects a stale version as a conflict with STALE_VERSION", () => {
    const error = errorOf(() =>
      updateProduct(product(), input(), ["name"], { now: T1, version: 7, field: "product" }),
    );
    expect(error.kind).toBe("conflict");
    expect(error.message).toContain("version 1");
  });

  it("changes nothing, and records nothing, when nothing differs", () => {
    const before = product();
    const change = updateProduct(before, input({ state: "active" }), ["name", "state"], {
      now: T1,
      field: "product",
    });
    expect(change.product).toBe(before);
    expect(change.events).toEqual([]);
  });
});

describe("variants", () => {
  it("adds a variant with a new version and refuses a clashing one", () => {
    const before = product();
    const added = addVariant(before, variant("L-1", "L"), {
      id: "vL",
      now: T1,
      currency: "EUR",
      field: "variant",
    });
    expect(added.product.variants.map((v) => v.sku)).toEqual(["S-1", "M-1", "L-1"]);
    expect(added.product.version).toBe(2);
    const clash = errorOf(() =>
      addVariant(before, variant("X-1", "M"), { id: "vX", now: T1, currency: "EUR", field: "variant" }),
    );
    expect(clash.violations.map((v) => v.field)).toEqual(["variant.optionValues"]);
  });

  it("records PriceChanged only when the price changes, and derived titles follow the options", () => {
    const before = product();
    const target = before.variants[0]!;
    const priced = updateVariant(
      before,
      target.id,
      { ...variant("", ""), price: { amountMinor: 1500n, currency: "" } },
      ["price"],
      {
        now: T1,
        currency: "EUR",
        field: "variant",
      },
    );
    expect(priced.events.map((e) => e.type)).toEqual([ProductUpdatedSchema, PriceChangedSchema]);
    expect(priced.events[1]?.data).toMatchObject({
      sku: "S-1",
      oldPrice: { amountMinor: 1000n },
      newPrice: { amountMinor: 1500n, currency: "EUR" },
    });
    const renamed = updateVariant(
      before,
      target.id,
      { ...variant("", "XS"), title: "Old" },
      ["option_values"],
      {
        now: T1,
        currency: "EUR",
        field: "variant",
      },
    );
    expect(renamed.variant).toMatchObject({ optionValues: { size: "XS" }, title: "XS" });
    expect(renamed.events.map((e) => e.type)).toEqual([ProductUpdatedSchema]);
  });

  it("keeps the last variant of an ACTIVE product", () => {
    const single = product({}, [variant("ONE", "S")]);
    expect(errorOf(() => removeVariant(single, single.variants[0]!.id, { now: T1 })).kind).toBe(
      "failed_precondition",
    );
    const draft = createProduct(input(), [variant("ONE", "S")], options).product;
    expect(removeVariant(draft, draft.variants[0]!.id, { now: T1 }).product.variants).toEqual([]);
    expect(errorOf(() => removeVariant(draft, "missing", { now: T1 })).kind).toBe("not_found");
  });
});
