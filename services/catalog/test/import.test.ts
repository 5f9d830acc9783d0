import { ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { PriceChangedSchema, ProductCreatedSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;

beforeAll(async () => {
  t = await startCatalog();
});

afterAll(async () => {
  await t?.stop();
});

describe("ImportProducts", () => {
  it("applies good rows, reports bad ones with their lines and fields, and leaves no trace of them", async () => {
    const { product: existing } = await t.client.createProduct(
      { product: productInit("IMPA", { slug: "import-existing" }) },
      t.admin,
    );
    const answer = await t.client.importProducts(
      [
        { line: 1, product: productInit("IMPB", { slug: "import-new-one" }) },
        {
          line: 2,
          product: productInit("IMPC", {
            slug: "import-bad-price",
            variants: [{ sku: "IMPC-S", price: { amountMinor: -5n, currency: "EUR" } }],
          }),
        },
        // Takes IMPA-S from the existing product: the whole row is refused.
        {
          line: 4,
          product: productInit("IMPD", {
            slug: "import-dup-sku",
            variants: [
              { sku: "IMPD-S", price: { amountMinor: 100n, currency: "EUR" } },
              { sku: "impa-s", price: { amountMinor: 100n, currency: "EUR" } },
            ],
          }),
        },
        {
          line: 5,
          product: productInit("IMPA", {
            slug: "import-existing",
            name: "Renamed Tee",
            variants: [
              { sku: "IMPA-S", optionValues: { size: "S" }, price: { amountMinor: 2500n, currency: "EUR" } },
            ],
          }),
        },
        { line: 6, product: productInit("IMPE", { slug: "" }) },
      ],
      t.admin,
    );
    expect(answer.created).toBe(1);
    expect(answer.updated).toBe(1);
    expect(answer.failed).toBe(3);
    expect(answer.errors.map((e) => [e.line, e.fields])).toEqual([
      [2, ["product.variants[0].price.amountMinor"]],
      [4, ["product.variants[1].sku"]],
      [6, ["product.slug"]],
    ]);
    expect(answer.errors[1]?.message).toContain("IMPA-S");

    const created = await t.client.getProduct({ slug: "import-new-one" }, t.admin);
    expect(created.product?.variants.map((v) => v.sku)).toEqual(["IMPB-S", "IMPB-M"]);
    expect(await t.events(ProductCreatedSchema, created.product!.id)).toHaveLength(1);
    for (const slug of ["import-bad-price", "import-dup-sku"]) {
      expect((await failure(t.client.getProduct({ slug }, t.admin))).code).toBe(Code.NotFound);
    }
    const variants = await t.client.batchGetVariants({ skus: ["IMPD-S", "IMPC-S"] });
    expect(variants.variants).toEqual([]);

    const updated = (await t.client.getProduct({ slug: "import-existing" }, t.admin)).product!;
    expect(updated.id).toBe(existing!.id);
    expect(updated.name).toBe("Renamed Tee");
    expect(updated.version).toBe(2n);
    // The variant whose SKU stayed keeps its id; the one left out is gone.
    expect(updated.variants.map((v) => [v.id, v.sku, v.price?.amountMinor])).toEqual([
      [existing!.variants[0]!.id, "IMPA-S", 2500n],
    ]);
    const [priceChanged] = await t.events(PriceChangedSchema, existing!.id);
    expect(priceChanged?.newPrice?.amountMinor).toBe(2500n);
  });

  it("changes nothing when a row repeats what the product already is", async () => {
    const { product } = await t.client.createProduct(
      { product: productInit("IMPF", { slug: "import-same" }) },
      t.admin,
    );
    const answer = await t.client.importProducts([{ line: 1, product: product! }], t.admin);
    expect(answer).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const after = (await t.client.getProduct({ slug: "import-same" }, t.admin)).product!;
    expect(after.version).toBe(1n);
    expect(after.variants.map((v) => v.id)).toEqual(product!.variants.map((v) => v.id));
  });

  it("refuses a state change the product's life does not allow, for that row only", async () => {
    await t.client.createProduct({ product: productInit("IMPG", { slug: "import-archived" }) }, t.admin);
    const { product } = await t.client.getProduct({ slug: "import-archived" }, t.admin);
    await t.client.archiveProduct({ id: product!.id, version: product!.version }, t.admin);
    const answer = await t.client.importProducts(
      [
        {
          line: 3,
          product: { ...productInit("IMPG", { slug: "import-archived" }), state: ProductState.ACTIVE },
        },
      ],
      t.admin,
    );
    expect(answer.failed).toBe(1);
    expect(answer.errors[0]).toMatchObject({ line: 3 });
    expect(answer.errors[0]?.message).toContain("archived");
  });

  it("needs catalog.write", async () => {
    const error = await failure(
      t.client.importProducts(
        [{ line: 1, product: productInit("IMPH", { slug: "import-denied" }) }],
        t.customer,
      ),
    );
    expect(error.code).toBe(Code.PermissionDenied);
  });
});
