import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import {
  PriceChangedSchema,
  ProductArchivedSchema,
  ProductCreatedSchema,
  ProductUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;

beforeAll(async () => {
  t = await startCatalog();
});

afterAll(async () => {
  await t?.stop();
});

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe("CreateProduct and GetProduct", () => {
  it("creates a product with its variants, found by id and by slug", async () => {
    const { product } = await t.client.createProduct({ product: productInit("TEE1") }, t.admin);
    expect(product).toMatchObject({
      slug: "organic-cotton-tee-tee1",
      state: ProductState.ACTIVE,
      version: 1n,
      attributes: [{ name: "brand", value: "Acme" }],
    });
    expect(product?.variants.map((v) => [v.sku, v.title, v.price?.amountMinor])).toEqual([
      ["TEE1-S", "S", 1999n],
      ["TEE1-M", "M", 2199n],
    ]);
    const byId = await t.client.getProduct({ id: product!.id });
    const bySlug = await t.client.getProduct({ slug: product!.slug }, t.customer);
    expect(byId.product).toEqual(product);
    expect(bySlug.product?.id).toBe(product!.id);
    const [created] = await t.events(ProductCreatedSchema, product!.id);
    expect(created?.product?.variants.map((v) => v.sku)).toEqual(["TEE1-S", "TEE1-M"]);
  });

  it("keeps drafts from customers and services, shows them to staff with catalog.write", async () => {
    const { product } = await t.client.createProduct(
      { product: productInit("DRAFT1", { state: ProductState.DRAFT }) },
      t.admin,
    );
    for (const options of [undefined, t.customer, t.support, t.service]) {
      const error = await failure(t.client.getProduct({ id: product!.id }, options));
      expect(error.code).toBe(Code.NotFound);
      expect((await failure(t.client.getProduct({ slug: product!.slug }, options))).code).toBe(Code.NotFound);
    }
    expect((await t.client.getProduct({ id: product!.id }, t.admin)).product?.state).toBe(ProductState.DRAFT);
  });

  it("makes a slug unique when the name's slug is taken, and refuses a taken explicit slug", async () => {
    const first = await t.client.createProduct(
      { product: productInit("DUP1", { name: "Same Name" }) },
      t.admin,
    );
    const second = await t.client.createProduct(
      { product: productInit("DUP2", { name: "Same Name" }) },
      t.admin,
    );
    expect(first.product?.slug).toBe("same-name");
    expect(second.product?.slug).toMatch(/^same-name-[a-z0-9]{8}$/);
    const taken = await failure(
      t.client.createProduct({ product: productInit("DUP3", { slug: "same-name" }) }, t.admin),
    );
    expect(taken.code).toBe(Code.AlreadyExists);
  });

  it("rejects bad input with every bad field named and creates nothing", async () => {
    const error = await failure(
      t.client.createProduct(
        {
          product: {
            name: " ",
            slug: "Not A Slug",
            state: ProductState.ACTIVE,
            categoryIds: ["nope"],
            images: [{ url: "ftp://x" }],
            attributes: [{ name: "", value: "x" }],
            variants: [
              { sku: "bad sku", price: { amountMinor: -5n, currency: "EUR" } },
              { sku: "OK-1", price: { amountMinor: 100n, currency: "USD" }, weightGrams: -1 },
              { sku: "ok-1", price: { amountMinor: 100n, currency: "EUR" } },
            ],
          },
        },
        t.admin,
      ),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual([
      "product.name",
      "product.slug",
      "product.categoryIds[0]",
      "product.attributes[0].name",
      "product.images[0].url",
      "product.variants[0].sku",
      "product.variants[0].price.amountMinor",
      "product.variants[1].price.currency",
      "product.variants[1].weightGrams",
      "product.variants[2].sku",
    ]);
    const nothing = await t.client.batchGetVariants({ skus: ["OK-1", "ok-1"] });
    expect(nothing.variants).toEqual([]);
  });

  it("refuses an ACTIVE product without variants and categories that do not exist", async () => {
    const empty = await failure(
      t.client.createProduct({ product: productInit("EMPTY", { variants: [] }) }, t.admin),
    );
    expect(fieldViolations(empty)).toEqual([
      { field: "product.state", description: "an ACTIVE product needs at least one variant" },
    ]);
    const missing = await failure(
      t.client.createProduct(
        { product: productInit("NOCAT", { categoryIds: ["0190f3a4-7b2c-7d3e-8f40-123456789abc"] }) },
        t.admin,
      ),
    );
    expect(fieldViolations(missing).map((v) => v.field)).toEqual(["product.categoryIds[0]"]);
  });

  it("answers bad lookups with INVALID_ARGUMENT, never INTERNAL", async () => {
    for (const request of [
      {},
      { id: "x" },
      { slug: "A B" },
      { id: "0190f3a4-7b2c-7d3e-8f40-123456789abc", slug: "x" },
    ]) {
      expect((await failure(t.client.getProduct(request))).code).toBe(Code.InvalidArgument);
    }
    expect((await failure(t.client.getProduct({ slug: "no-such-product" }))).code).toBe(Code.NotFound);
  });

  it("needs catalog.write to write", async () => {
    for (const options of [undefined, t.customer, t.support]) {
      const error = await failure(t.client.createProduct({ product: productInit("NOPE") }, options));
      expect([Code.Unauthenticated, Code.PermissionDenied]).toContain(error.code);
    }
  });
});

describe("UpdateProduct", () => {
  it("writes only the fields of the mask, bumps the version and records what changed", async () => {
    const { product } = await t.client.createProduct({ product: productInit("UPD1") }, t.admin);
    const { product: updated } = await t.client.updateProduct(
      {
        product: { id: product!.id, version: 1n, name: "  Renamed   Tee ", description: "ignored" },
        updateMask: mask("name"),
      },
      t.admin,
    );
    expect(updated).toMatchObject({ name: "Renamed Tee", description: product!.description, version: 2n });
    const events = await t.events(ProductUpdatedSchema, product!.id);
    expect(events.map((e) => [e.changedFields, e.product?.version])).toEqual([[["name"], 2n]]);
  });

  it("rejects a stale version with ABORTED STALE_VERSION and keeps the newer write", async () => {
    const { product } = await t.client.createProduct({ product: productInit("CONC1") }, t.admin);
    await t.client.updateProduct(
      { product: { id: product!.id, version: 1n, name: "First Writer" }, updateMask: mask("name") },
      t.admin,
    );
    const stale = await failure(
      t.client.updateProduct(
        { product: { id: product!.id, version: 1n, name: "Second Writer" }, updateMask: mask("name") },
        t.admin,
      ),
    );
    expect(stale.code).toBe(Code.Aborted);
    expect(errorReason(stale)).toBe("STALE_VERSION");
    expect((await t.client.getProduct({ id: product!.id })).product?.name).toBe("First Writer");
  });

  it("lets exactly one of two concurrent writers of the same version win", async () => {
    const { product } = await t.client.createProduct({ product: productInit("CONC2") }, t.admin);
    const outcomes = await Promise.allSettled(
      ["A", "B", "C"].map((name) =>
        t.client.updateProduct(
          { product: { id: product!.id, version: 1n, name: `Writer ${name}` }, updateMask: mask("name") },
          t.admin,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(errorReason(outcome.reason)).toBe("STALE_VERSION");
    }
    expect((await t.client.getProduct({ id: product!.id })).product?.version).toBe(2n);
  });

  it("requires the version, names unknown mask paths and refuses variants in the mask", async () => {
    const { product } = await t.client.createProduct({ product: productInit("UPD2") }, t.admin);
    const noVersion = await failure(
      t.client.updateProduct({ product: { id: product!.id, name: "x" }, updateMask: mask("name") }, t.admin),
    );
    expect(fieldViolations(noVersion).map((v) => v.field)).toEqual(["product.version"]);
    const badMask = await failure(
      t.client.updateProduct(
        { product: { id: product!.id, version: 1n }, updateMask: mask("variants", "colour") },
        t.admin,
      ),
    );
    expect(fieldViolations(badMask).map((v) => v.field)).toEqual(["updateMask", "updateMask"]);
  });

  it("follows the state rules: archived products come back as drafts before going live", async () => {
    const { product } = await t.client.createProduct({ product: productInit("STATE1") }, t.admin);
    const { product: archived } = await t.client.archiveProduct({ id: product!.id, version: 1n }, t.admin);
    expect(archived?.state).toBe(ProductState.ARCHIVED);
    const [event] = await t.events(ProductArchivedSchema, product!.id);
    expect(event).toMatchObject({ productId: product!.id, skus: ["STATE1-S", "STATE1-M"] });
    const relive = await failure(
      t.client.updateProduct(
        { product: { id: product!.id, version: 2n, state: ProductState.ACTIVE }, updateMask: mask("state") },
        t.admin,
      ),
    );
    expect(relive.code).toBe(Code.FailedPrecondition);
    const { product: draft } = await t.client.updateProduct(
      { product: { id: product!.id, version: 2n, state: ProductState.DRAFT }, updateMask: mask("state") },
      t.admin,
    );
    expect(draft?.state).toBe(ProductState.DRAFT);
    // archiving twice is fine and changes nothing
    await t.client.archiveProduct({ id: product!.id }, t.admin);
    const again = await t.client.archiveProduct({ id: product!.id }, t.admin);
    expect(again.product?.version).toBe(4n);
  });
});

describe("variants", () => {
  it("adds, updates and removes variants; a price change records PriceChanged", async () => {
    const { product } = await t.client.createProduct({ product: productInit("VAR1") }, t.admin);
    const added = await t.client.addVariant(
      {
        productId: product!.id,
        productVersion: 1n,
        variant: {
          sku: "VAR1-L",
          optionValues: { size: "L" },
          price: { amountMinor: 2399n },
          weightGrams: 220,
        },
      },
      t.admin,
    );
    expect(added.variant).toMatchObject({ sku: "VAR1-L", title: "L", price: { currency: "EUR" } });
    expect(added.product?.version).toBe(2n);

    const updated = await t.client.updateVariant(
      {
        variant: { id: added.variant!.id, price: { amountMinor: 2499n, currency: "EUR" } },
        updateMask: mask("price"),
      },
      t.admin,
    );
    expect(updated.variant?.price?.amountMinor).toBe(2499n);
    const [priceChanged] = await t.events(PriceChangedSchema, product!.id);
    expect(priceChanged).toMatchObject({
      sku: "VAR1-L",
      oldPrice: { amountMinor: 2399n, currency: "EUR" },
      newPrice: { amountMinor: 2499n, currency: "EUR" },
    });

    const removed = await t.client.removeVariant(
      { variantId: added.variant!.id, productVersion: 3n },
      t.admin,
    );
    expect(removed.product?.variants.map((v) => v.sku)).toEqual(["VAR1-S", "VAR1-M"]);
    expect((await t.events(ProductUpdatedSchema, product!.id)).map((e) => e.changedFields.join(","))).toEqual(
      ["variants", "variants", "variants"],
    );
  });

  it("keeps SKUs unique across the catalog, whatever their case", async () => {
    await t.client.createProduct({ product: productInit("UNIQ") }, t.admin);
    const { product } = await t.client.createProduct({ product: productInit("OTHER") }, t.admin);
    const onCreate = await failure(t.client.createProduct({ product: productInit("uniq") }, t.admin));
    expect(onCreate.code).toBe(Code.AlreadyExists);
    expect(onCreate.rawMessage).toContain("UNIQ-S");
    const onAdd = await failure(
      t.client.addVariant(
        {
          productId: product!.id,
          variant: { sku: "Uniq-M", optionValues: { size: "XL" }, price: { amountMinor: 1n } },
        },
        t.admin,
      ),
    );
    expect(onAdd.code).toBe(Code.AlreadyExists);
    const sameProduct = await failure(
      t.client.addVariant(
        {
          productId: product!.id,
          variant: { sku: "OTHER-S", optionValues: { size: "XL" }, price: { amountMinor: 1n } },
        },
        t.admin,
      ),
    );
    expect(fieldViolations(sameProduct).map((v) => v.field)).toEqual(["variant.sku"]);
  });

  it("keeps the last variant of an ACTIVE product and rejects a stale product version", async () => {
    const { product } = await t.client.createProduct(
      { product: productInit("LAST", { variants: [productInit("LAST").variants![0]!] }) },
      t.admin,
    );
    const last = await failure(t.client.removeVariant({ variantId: product!.variants[0]!.id }, t.admin));
    expect(last.code).toBe(Code.FailedPrecondition);
    const stale = await failure(
      t.client.updateVariant(
        {
          variant: { id: product!.variants[0]!.id, weightGrams: 1 },
          updateMask: mask("weight_grams"),
          productVersion: 9n,
        },
        t.admin,
      ),
    );
    expect(errorReason(stale)).toBe("STALE_VERSION");
    expect((await failure(t.client.removeVariant({ variantId: "nope" }, t.admin))).code).toBe(
      Code.InvalidArgument,
    );
    expect(
      (await failure(t.client.removeVariant({ variantId: "0190f3a4-7b2c-7d3e-8f40-123456789abc" }, t.admin)))
        .code,
    ).toBe(Code.NotFound);
  });
});

describe("BatchGetVariants", () => {
  it("answers known SKUs with their product and purchasability; unknown ones are absent", async () => {
    const { product } = await t.client.createProduct({ product: productInit("BATCH") }, t.admin);
    await t.client.createProduct({ product: productInit("BDRAFT", { state: ProductState.DRAFT }) }, t.admin);
    const { variants } = await t.client.batchGetVariants(
      { skus: ["BATCH-M", "NO-SUCH-SKU", "BDRAFT-S", "not a sku", "BATCH-M"] },
      t.service,
    );
    expect(variants).toEqual([
      expect.objectContaining({ sku: "BATCH-M", purchasable: true, productId: product!.id }),
      expect.objectContaining({ sku: "BDRAFT-S", purchasable: false }),
    ]);
    expect(variants[0]).toMatchObject({
      variantId: product!.variants[1]!.id,
      productName: product!.name,
      productSlug: product!.slug,
      title: "M",
      price: { amountMinor: 2199n, currency: "EUR" },
      weightGrams: 200,
      imageUrl: "https://img.example.com/BATCH.jpg",
    });
  });
});

describe("ExportProducts", () => {
  it("streams every product of the chosen states in id order, for catalog.write only", async () => {
    const exported: string[] = [];
    for await (const message of t.client.exportProducts({ states: [ProductState.DRAFT] }, t.admin)) {
      exported.push(message.product!.id);
    }
    expect(exported.length).toBeGreaterThanOrEqual(2);
    expect([...exported].sort()).toEqual(exported);
    for (const id of exported) {
      expect((await t.client.getProduct({ id }, t.admin)).product?.state).toBe(ProductState.DRAFT);
    }
    const denied = await failure(
      (async () => {
        for await (const _ of t.client.exportProducts({}, t.customer)) {
          // never reached
        }
      })(),
    );
    expect(denied.code).toBe(Code.PermissionDenied);
  });
});
