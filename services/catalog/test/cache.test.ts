import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, productInit, startCatalog, type TestCatalog } from "./support.ts";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe("with Redis", () => {
  let t: TestCatalog;

  beforeAll(async () => {
    t = await startCatalog();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("serves product reads from the cache and drops them when the product changes", async () => {
    const { product } = await t.client.createProduct({ product: productInit("CACHE1") }, t.admin);
    const id = product!.id;
    await t.client.getProduct({ id });
    expect(await t.cacheKeys()).toEqual(expect.arrayContaining([`p:id:${id}`, `p:slug:${product!.slug}`]));

    // A change behind the service's back is not seen while the read is cached...
    await t.catalog.db.execute("update products set name = 'Changed In SQL' where id = ?", [id]);
    expect((await t.client.getProduct({ id })).product?.name).toBe(product!.name);

    // ...while a change through the service is seen at once, by id and by slug.
    await t.client.updateProduct(
      {
        product: { id, version: 1n, name: "Renamed Through Catalog", slug: "renamed-tee" },
        updateMask: mask("name", "slug"),
      },
      t.admin,
    );
    expect((await t.client.getProduct({ id })).product?.name).toBe("Renamed Through Catalog");
    expect((await t.client.getProduct({ slug: "renamed-tee" })).product?.id).toBe(id);
    expect((await failure(t.client.getProduct({ slug: product!.slug }))).code).toBe(Code.NotFound);
  });

  it("decides visibility per caller on cached reads", async () => {
    const { product } = await t.client.createProduct(
      { product: productInit("CACHE2", { state: ProductState.DRAFT }) },
      t.admin,
    );
    await t.client.getProduct({ id: product!.id }, t.admin);
    expect(await t.cacheKeys()).toContain(`p:id:${product!.id}`);
    expect((await failure(t.client.getProduct({ id: product!.id }, t.customer))).code).toBe(Code.NotFound);
    await t.client.updateProduct(
      { product: { id: product!.id, version: 1n, state: ProductState.ACTIVE }, updateMask: mask("state") },
      t.admin,
    );
    expect((await t.client.getProduct({ id: product!.id }, t.customer)).product?.state).toBe(
      ProductState.ACTIVE,
    );
  });

  it("caches search pages and the category tree until the catalog changes", async () => {
    await t.client.createProduct({ product: productInit("CACHE3", { name: "Velvet Cushion" }) }, t.admin);
    const search = async () =>
      (await t.client.searchProducts({ query: "velvet" })).products.map((p) => p.name);
    expect(await search()).toEqual(["Velvet Cushion"]);
    // A search page is cached from its second request on (search-cache.test.ts).
    expect(await search()).toEqual(["Velvet Cushion"]);
    expect((await t.cacheKeys()).some((key) => key.startsWith("q:"))).toBe(true);

    await t.client.createProduct({ product: productInit("CACHE4", { name: "Velvet Curtain" }) }, t.admin);
    expect(new Set(await search())).toEqual(new Set(["Velvet Cushion", "Velvet Curtain"]));

    expect((await t.client.listCategories({})).categories).toEqual([]);
    await t.client.createCategory({ category: { name: "Soft Furnishings" } }, t.admin);
    expect((await t.client.listCategories({})).categories.map((c) => c.name)).toEqual(["Soft Furnishings"]);
  });
});

describe("with Redis down", () => {
  let t: TestCatalog;

  beforeAll(async () => {
    // Nothing listens on port 1: every cache command fails at once.
    t = await startCatalog({ REDIS_URL: "redis://127.0.0.1:1" });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("still answers every read and write correctly from the database", async () => {
    const { product } = await t.client.createProduct({ product: productInit("DOWN1") }, t.admin);
    const id = product!.id;
    expect((await t.client.getProduct({ id })).product?.name).toBe(product!.name);
    await t.client.updateProduct(
      { product: { id, version: 1n, name: "Still Correct" }, updateMask: mask("name") },
      t.admin,
    );
    expect((await t.client.getProduct({ id })).product?.name).toBe("Still Correct");
    expect((await t.client.searchProducts({ query: "correct" })).products.map((p) => p.id)).toEqual([id]);
    expect((await t.client.suggestProducts({ query: "still" })).suggestions.map((s) => s.productId)).toEqual([
      id,
    ]);
    await t.client.createCategory({ category: { name: "Anything" } }, t.admin);
    expect((await t.client.listCategories({})).categories.map((c) => c.name)).toEqual(["Anything"]);
    await t.client.archiveProduct({ id }, t.admin);
    expect((await failure(t.client.getProduct({ id }))).code).toBe(Code.NotFound);
  });
});
