import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  ProductSortOrder,
  ProductState,
  ProductView,
  type SearchProductsRequestSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { fieldViolations } from "@shopmesh/kit/rpc";
import { recordStatements, statementSummary } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;
const cat: Record<string, string> = {};
const id: Record<string, string> = {};

type SearchInit = Exclude<MessageInitShape<typeof SearchProductsRequestSchema>, { $typeName: string }>;

/** The names of the products a search finds, in order. */
async function names(request: SearchInit, options = t.customer) {
  const { products } = await t.client.searchProducts(request, options);
  return products.map((p) => p.name);
}

beforeAll(async () => {
  t = await startCatalog();
  const category = async (key: string, name: string, parent?: string) => {
    const { category } = await t.client.createCategory(
      { category: { name, ...(parent ? { parentId: cat[parent] } : {}) } },
      t.admin,
    );
    cat[key] = category!.id;
  };
  await category("clothing", "Clothing");
  await category("shoes", "Shoes", "clothing");
  await category("running", "Running Shoes", "shoes");
  await category("boots", "Boots", "shoes");
  await category("shirts", "Shirts", "clothing");
  await category("home", "Home");

  const product = async (
    key: string,
    name: string,
    categories: string[],
    brand: string,
    variants: [string, Record<string, string>, bigint][],
    extra: { description?: string; state?: ProductState; material?: string } = {},
  ) => {
    const { product } = await t.client.createProduct(
      {
        product: {
          name,
          description: extra.description ?? "",
          state: extra.state ?? ProductState.ACTIVE,
          categoryIds: categories.map((c) => cat[c]!),
          attributes: [
            { name: "brand", value: brand },
            ...(extra.material ? [{ name: "material", value: extra.material }] : []),
          ],
          variants: variants.map(([sku, optionValues, amountMinor]) => ({
            sku,
            optionValues,
            price: { amountMinor, currency: "EUR" },
          })),
        },
      },
      t.admin,
    );
    id[key] = product!.id;
  };
  await product(
    "trail",
    "Trail Running Shoe",
    ["running"],
    "Acme",
    [
      ["TRAIL-RED", { colour: "red" }, 8999n],
      ["TRAIL-BLUE", { colour: "blue" }, 9999n],
    ],
    { description: "Lightweight shoe for mountain trails." },
  );
  await product("road", "Road Runner Sneaker", ["running"], "Zoom", [
    ["ROAD-BLK", { colour: "black" }, 12999n],
  ]);
  await product("boot", "Leather Hiking Boot", ["boots"], "Acme", [["BOOT-1", {}, 15999n]], {
    material: "leather",
    description: "Waterproof boot for long walks.",
  });
  await product("shirt", "Linen Shirt", ["shirts"], "Zoom", [["SHIRT-1", { colour: "blue" }, 4999n]]);
  await product("mug", "Ceramic Coffee Mug", ["home"], "Kiln", [["MUG-1", {}, 1299n]], {
    description: "Holds a large coffee; dishwasher safe.",
  });
  await product("secret", "Secret Running Prototype", ["running"], "Acme", [["PROTO-1", {}, 50000n]], {
    state: ProductState.DRAFT,
  });
});

afterAll(async () => {
  await t?.stop();
});

describe("SearchProducts: the statement", () => {
  it("runs as one prepared statement that PostgreSQL plans once per session, listing cards included", async () => {
    const pool = await t.catalog.db.pool();
    const recorder = recordStatements(pool);
    try {
      let shown = 0;
      const basic = await recorder.during(async () => {
        const { products } = await t.client.searchProducts(
          { pageSize: 5, view: ProductView.BASIC },
          t.customer,
        );
        shown = products.length;
      });
      expect(shown).toBe(5);
      // the page, its total, the facets and the cards: one round trip
      expect(basic, statementSummary(basic)).toHaveLength(1);
      expect(basic[0]?.text).toContain("base as materialized");
      expect(basic[0]?.name).toMatch(/^s\d+$/);
      // whole products (FULL) are read by a second statement
      const full = await recorder.during(() =>
        t.client.searchProducts({ pageSize: 5, view: ProductView.FULL }, t.customer),
      );
      expect(full, statementSummary(full)).toHaveLength(2);
    } finally {
      recorder.restore();
    }
    const { rows } = await pool.query<{ plan_cache_mode: string }>("show plan_cache_mode");
    expect(rows[0]?.plan_cache_mode).toBe("force_generic_plan");
  });
});

describe("SearchProducts: text", () => {
  it("finds by name, category and attribute words, best match first", async () => {
    expect(await names({ query: "running" })).toEqual(["Trail Running Shoe", "Road Runner Sneaker"]);
    expect(await names({ query: "leather" })).toEqual(["Leather Hiking Boot"]);
    expect(await names({ query: "dishwasher" })).toEqual(["Ceramic Coffee Mug"]);
    expect(await names({ query: "TRAIL-BLUE" })).toEqual(["Trail Running Shoe"]);
  });

  it("understands web-search syntax", async () => {
    expect(new Set(await names({ query: "shoe -trail" }))).toEqual(
      new Set(["Road Runner Sneaker", "Leather Hiking Boot"]),
    );
    expect(await names({ query: '"coffee mug"' })).toEqual(["Ceramic Coffee Mug"]);
    expect(await names({ query: '"mug coffee"' })).toEqual([]);
    expect(await names({ query: "mug or shirt" }, t.customer)).toEqual(
      expect.arrayContaining(["Ceramic Coffee Mug", "Linen Shirt"]),
    );
  });

  it("matches prefixes and forgives typos", async () => {
    expect(await names({ query: "hik" })).toEqual(["Leather Hiking Boot"]);
    expect(await names({ query: "sneakr" })).toEqual(["Road Runner Sneaker"]);
    expect(await names({ query: "ceramik" })).toEqual(["Ceramic Coffee Mug"]);
    // a misspelt word among right ones, the last still a prefix
    expect(await names({ query: "leathr hik" })).toEqual(["Leather Hiking Boot"]);
    // attribute values are words too
    expect(await names({ query: "acmee trail" })).toEqual(["Trail Running Shoe"]);
    // only words that find nothing are corrected: every word here is right, no product has them all
    expect(await names({ query: "ceramic sneaker" })).toEqual([]);
  });

  it("corrects to the words of products written since", async () => {
    expect(await names({ query: "quokkka" })).toEqual([]);
    const { product } = await t.client.createProduct(
      {
        product: {
          name: "Quokka Plush",
          state: ProductState.ACTIVE,
          categoryIds: [cat.home!],
          variants: [{ sku: "PLUSH-1", price: { amountMinor: 1999n, currency: "EUR" } }],
        },
      },
      t.admin,
    );
    expect(await names({ query: "quokkka" })).toEqual(["Quokka Plush"]);
    expect(await names({ query: "wombatt" })).toEqual([]);
    await t.client.updateProduct(
      {
        product: { id: product!.id, version: 1n, name: "Wombat Plush" },
        updateMask: create(FieldMaskSchema, { paths: ["name"] }),
      },
      t.admin,
    );
    expect(await names({ query: "wombatt" })).toEqual(["Wombat Plush"]);
    await t.client.archiveProduct({ id: product!.id }, t.admin);
    expect(await names({ query: "wombatt" })).toEqual([]);
  });

  it("never shows drafts to customers; staff with catalog.write can ask for them", async () => {
    expect(await names({ query: "prototype" })).toEqual([]);
    expect(await names({ query: "secret" }, t.admin)).toEqual([]);
    expect(await names({ query: "secret", states: [ProductState.DRAFT] }, t.admin)).toEqual([
      "Secret Running Prototype",
    ]);
    for (const options of [t.customer, t.support]) {
      const denied = await failure(t.client.searchProducts({ states: [ProductState.DRAFT] }, options));
      expect(denied.code).toBe(Code.PermissionDenied);
    }
  });
});

describe("SearchProducts: filters and facets", () => {
  it("filters by category including its subtree", async () => {
    expect(new Set(await names({ categoryId: cat.shoes }))).toEqual(
      new Set(["Trail Running Shoe", "Road Runner Sneaker", "Leather Hiking Boot"]),
    );
    expect(await names({ categoryId: cat.clothing, sort: ProductSortOrder.NAME })).toEqual([
      "Leather Hiking Boot",
      "Linen Shirt",
      "Road Runner Sneaker",
      "Trail Running Shoe",
    ]);
    expect(await names({ categoryId: cat.boots })).toEqual(["Leather Hiking Boot"]);
  });

  it("filters by the from price, both bounds inclusive", async () => {
    expect(
      await names({
        minPrice: { amountMinor: 4999n },
        maxPrice: { amountMinor: 12999n },
        sort: ProductSortOrder.PRICE_ASCENDING,
      }),
    ).toEqual(["Linen Shirt", "Trail Running Shoe", "Road Runner Sneaker"]);
  });

  it("filters by attributes and option values: values of one name OR, names AND", async () => {
    const acme = { name: "brand", values: ["Acme"] };
    expect(new Set(await names({ attributes: [acme] }))).toEqual(
      new Set(["Trail Running Shoe", "Leather Hiking Boot"]),
    );
    expect(
      await names({ attributes: [{ name: "brand", values: ["Kiln", "Zoom"] }], sort: ProductSortOrder.NAME }),
    ).toEqual(["Ceramic Coffee Mug", "Linen Shirt", "Road Runner Sneaker"]);
    expect(await names({ attributes: [acme, { name: "colour", values: ["red"] }] })).toEqual([
      "Trail Running Shoe",
    ]);
  });

  it("counts facets, each ignoring its own filter", async () => {
    const { facets, totalSize } = await t.client.searchProducts(
      { attributes: [{ name: "brand", values: ["Acme"] }], categoryId: cat.shoes },
      t.customer,
    );
    expect(totalSize).toBe(2);
    const attribute = (name: string) =>
      Object.fromEntries(
        facets!.attributes.find((a) => a.name === name)!.values.map((v) => [v.value, v.count]),
      );
    // brand counts as if no brand were chosen (within Shoes); colour within the Acme shoes
    expect(attribute("brand")).toEqual({ Acme: 2, Zoom: 1 });
    expect(attribute("colour")).toEqual({ blue: 1, red: 1 });
    expect(attribute("material")).toEqual({ leather: 1 });
    // categories as if no category were chosen (Acme products), rolled up to ancestors
    const categories = Object.fromEntries(facets!.categories.map((c) => [c.name, c.count]));
    expect(categories).toEqual({ Clothing: 2, Shoes: 2, "Running Shoes": 1, Boots: 1 });
    expect(
      facets!.priceBuckets.map((b) => [b.minPrice?.amountMinor, b.maxPrice?.amountMinor, b.count]),
    ).toEqual([
      [5000n, 10000n, 1],
      [10000n, 25000n, 1],
    ]);
  });
});

describe("SearchProducts: sorting and paging", () => {
  it("pages through every product with a cursor, the total on every page", async () => {
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await t.client.searchProducts(
        { sort: ProductSortOrder.PRICE_ASCENDING, pageSize: 2, pageToken },
        t.customer,
      );
      expect(page.totalSize).toBe(5);
      seen.push(...page.products.map((p) => p.name));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "" && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      "Ceramic Coffee Mug",
      "Linen Shirt",
      "Trail Running Shoe",
      "Road Runner Sneaker",
      "Leather Hiking Boot",
    ]);
  });

  it("sorts by price descending, newest and relevance with stable pages", async () => {
    expect((await names({ sort: ProductSortOrder.PRICE_DESCENDING }))[0]).toBe("Leather Hiking Boot");
    expect((await names({}))[0]).toBe("Ceramic Coffee Mug");
    const first = await t.client.searchProducts({ query: "shoe", pageSize: 1 }, t.customer);
    const second = await t.client.searchProducts(
      { query: "shoe", pageSize: 1, pageToken: first.nextPageToken },
      t.customer,
    );
    expect(first.products[0]?.name).toBe("Trail Running Shoe");
    expect(second.products[0]?.name).not.toBe(first.products[0]?.name);
  });

  it("rejects a page token of another search and a forged one as INVALID_ARGUMENT", async () => {
    const { nextPageToken } = await t.client.searchProducts({ pageSize: 1 }, t.customer);
    const other = await failure(
      t.client.searchProducts({ pageSize: 1, query: "shoe", pageToken: nextPageToken }),
    );
    expect(fieldViolations(other).map((v) => v.field)).toEqual(["pageToken"]);
    const forged = await failure(t.client.searchProducts({ pageToken: "bm90IGEgdG9rZW4" }));
    expect(forged.code).toBe(Code.InvalidArgument);
  });

  it("answers bad input with INVALID_ARGUMENT naming the fields", async () => {
    const error = await failure(
      t.client.searchProducts({
        query: "bad\u0000query",
        categoryId: "shoes",
        minPrice: { amountMinor: 500n, currency: "EUR" },
        maxPrice: { amountMinor: 100n, currency: "USD" },
        attributes: [{ name: "brand", values: [] }],
        pageSize: -1,
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual([
      "query",
      "categoryId",
      "maxPrice.currency",
      "maxPrice",
      "attributes[0].values",
    ]);
  });
});

describe("SuggestProducts", () => {
  it("suggests ACTIVE products by prefix, substring and near miss, names starting with the query first", async () => {
    const suggest = async (query: string) =>
      (await t.client.suggestProducts({ query })).suggestions.map((s) => s.name);
    expect(await suggest("trail")).toEqual(["Trail Running Shoe"]);
    expect(await suggest("run")).toEqual(
      expect.arrayContaining(["Trail Running Shoe", "Road Runner Sneaker"]),
    );
    expect(await suggest("run")).not.toContain("Secret Running Prototype");
    expect(await suggest("sneakr")).toEqual(["Road Runner Sneaker"]);
    expect(await suggest("coffee m")).toEqual(["Ceramic Coffee Mug"]);
    const [mug] = (await t.client.suggestProducts({ query: "mug" })).suggestions;
    expect(mug).toMatchObject({
      productId: id.mug,
      slug: "ceramic-coffee-mug",
      price: { amountMinor: 1299n },
    });
    expect(fieldViolations(await failure(t.client.suggestProducts({ query: "  " })))).toEqual([
      { field: "query", description: "is required" },
    ]);
  });
});
