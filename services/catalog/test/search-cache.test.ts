import { create, type MessageShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  ProductView,
  SearchProductsResponseSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createLogger } from "@shopmesh/kit/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCatalogCache } from "../src/cache.ts";
import { productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;

/** Search pages (and the category tree) in Redis under this catalog's prefix. */
const pages = async () => (await t.cacheKeys()).filter((key) => key.startsWith("q:")).sort();

beforeAll(async () => {
  t = await startCatalog();
});

afterAll(async () => {
  await t?.stop();
});

describe("search page admission", () => {
  it("writes a one-off search to no cache, and a repeated one from its second request", async () => {
    const { product } = await t.client.createProduct(
      { product: productInit("ADMIT1", { name: "Velvet Cushion" }) },
      t.admin,
    );
    const names = async (query: string) =>
      (await t.client.searchProducts({ query, view: ProductView.BASIC })).products.map((p) => p.name);
    const before = await pages();

    expect(await names("velvet")).toEqual(["Velvet Cushion"]);
    expect(await names("cushion")).toEqual(["Velvet Cushion"]);
    expect(await pages()).toEqual(before);

    expect(await names("velvet")).toEqual(["Velvet Cushion"]);
    const cached = await pages();
    expect(cached).toHaveLength(before.length + 1);

    // Served from the cache now: a change behind the service's back is not seen...
    await t.catalog.db.execute("update products set name = 'Changed In SQL' where id = ?", [product!.id]);
    expect(await names("velvet")).toEqual(["Velvet Cushion"]);
    // ...while one-off searches still read the database.
    expect(await names("cushion velvet")).toEqual(["Changed In SQL"]);

    // A change through the catalog drops it as before; the key, known to come back, is cached
    // again by its first request after the change.
    await t.client.updateProduct(
      {
        product: { id: product!.id, version: 1n, name: "Velvet Pillow" },
        updateMask: create(FieldMaskSchema, { paths: ["name"] }),
      },
      t.admin,
    );
    expect(await names("velvet")).toEqual(["Velvet Pillow"]);
    expect(await pages()).toHaveLength(cached.length + 1);
  });

  it("caches the BASIC and FULL pages of one search apart", async () => {
    await t.client.createProduct(
      { product: productInit("ADMIT2", { name: "Walnut Stool", description: "Oiled solid walnut." }) },
      t.admin,
    );
    const search = (view: ProductView) => t.client.searchProducts({ query: "walnut", view });
    await search(ProductView.BASIC);
    await search(ProductView.BASIC);
    expect((await search(ProductView.BASIC)).products[0]?.description).toBe("");
    expect((await search(ProductView.FULL)).products[0]?.description).toBe("Oiled solid walnut.");
    expect((await search(ProductView.FULL)).products[0]?.description).toBe("Oiled solid walnut.");
  });

  it("remembers a bounded number of keys, forgetting the least recently asked first", async () => {
    const cache = createCatalogCache({
      redis: t.catalog.redis,
      logger: createLogger({ service: "catalog", level: "silent" }),
      productTtlSeconds: 60,
      queryTtlSeconds: 60,
      memoryEntries: 0,
      admissionEntries: 2,
    });
    let computed = 0;
    const ask = (name: string) =>
      cache.cached(
        `admission-test\n${name}`,
        SearchProductsResponseSchema,
        async (): Promise<MessageShape<typeof SearchProductsResponseSchema>> => {
          computed++;
          return create(SearchProductsResponseSchema, { totalSize: computed });
        },
        { admission: "repeated" },
      );
    const before = (await pages()).length;

    await ask("a");
    await ask("b");
    await ask("c"); // two names remembered: "a", the least recently asked, is forgotten
    await ask("a"); // so this is a first request again: not written
    expect(await pages()).toHaveLength(before);
    await ask("a"); // asked before: written
    expect(await pages()).toHaveLength(before + 1);
    expect(computed).toBe(5);
    expect((await ask("a")).totalSize).toBe(5); // read back from Redis, not computed again
    expect(computed).toBe(5);

    // Products and other reads are admitted at once, as before.
    await cache.cached("admission-test\nalways", SearchProductsResponseSchema, async () =>
      create(SearchProductsResponseSchema, {}),
    );
    expect(await pages()).toHaveLength(before + 2);
  });
});
