import { create, toBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  type Product,
  ProductSortOrder,
  ProductState,
  ProductView,
  SearchProductsResponseSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;
let shirt: Product;
let trousers: Product;

/** What a listing card shows of a product, the way the BFF's cardJson reads it. */
function card(product: Product) {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    state: product.state,
    categoryIds: product.categoryIds,
    attributes: product.attributes.map(({ name, value }) => ({ name, value })),
    imageUrl: product.images[0]?.url ?? "",
    priceFrom: product.priceFrom?.amountMinor,
    priceTo: product.priceTo?.amountMinor,
    variantCount: product.variantCount,
  };
}

beforeAll(async () => {
  t = await startCatalog();
  const { category } = await t.client.createCategory({ category: { name: "Linen" } }, t.admin);
  shirt = (
    await t.client.createProduct(
      {
        product: productInit("VIEW1", {
          name: "Linen Shirt",
          description: "Woven from Belgian flax. ".repeat(400),
          categoryIds: [category!.id],
          attributes: [
            { name: "brand", value: "Acme" },
            { name: "material", value: "linen" },
          ],
          images: [
            { url: "https://img.example.com/shirt-front.jpg", altText: "front" },
            { url: "https://img.example.com/shirt-back.jpg", altText: "back" },
          ],
          variants: [
            { sku: "VIEW1-L", optionValues: { size: "L" }, price: { amountMinor: 4500n, currency: "EUR" } },
            {
              sku: "VIEW1-S",
              title: "Small",
              optionValues: { size: "S" },
              price: { amountMinor: 2999n, currency: "EUR" },
              weightGrams: 210,
            },
            { sku: "VIEW1-M", optionValues: { size: "M" }, price: { amountMinor: 3999n, currency: "EUR" } },
          ],
        }),
      },
      t.admin,
    )
  ).product!;
  trousers = (
    await t.client.createProduct(
      {
        product: productInit("VIEW2", {
          name: "Linen Trousers",
          images: [],
          variants: [{ sku: "VIEW2-32", price: { amountMinor: 5900n, currency: "EUR" } }],
        }),
      },
      t.admin,
    )
  ).product!;
  await t.client.createProduct(
    { product: productInit("VIEW3", { name: "Linen Prototype", state: ProductState.DRAFT }) },
    t.admin,
  );
});

afterAll(async () => {
  await t?.stop();
});

describe("SearchProducts views", () => {
  const search = (view: ProductView) =>
    t.client.searchProducts({ query: "linen", sort: ProductSortOrder.PRICE_ASCENDING, view }, t.customer);

  it("fills only what a card needs in the BASIC view", async () => {
    const basic = await search(ProductView.BASIC);
    expect(basic.products.map((p) => p.name)).toEqual(["Linen Shirt", "Linen Trousers"]);
    const [basicShirt, basicTrousers] = basic.products;
    for (const product of basic.products) {
      expect(product.description).toBe("");
      expect(product.version).toBe(0n);
      expect(product.createTime).toBeUndefined();
      expect(product.updateTime).toBeUndefined();
      expect(product.variants).toEqual([]);
    }
    // The main image only, with its alt text; none for a product without images.
    expect(basicShirt!.images.map(({ url, altText }) => ({ url, altText }))).toEqual([
      { url: "https://img.example.com/shirt-front.jpg", altText: "front" },
    ]);
    expect(basicTrousers!.images).toEqual([]);
    // The variants' price range and count instead of the variants.
    expect([basicShirt!.priceFrom?.currency, basicShirt!.priceTo?.currency]).toEqual(["EUR", "EUR"]);
    expect(card(basicShirt!)).toMatchObject({
      state: ProductState.ACTIVE,
      imageUrl: "https://img.example.com/shirt-front.jpg",
      priceFrom: 2999n,
      priceTo: 4500n,
      variantCount: 3,
    });
  });

  it("gives the same cards, facets and paging in both views", async () => {
    const basic = await search(ProductView.BASIC);
    const full = await search(ProductView.FULL);
    expect(basic.products.map(card)).toEqual(full.products.map(card));
    expect(basic.products.map(card)).toEqual([shirt, trousers].map(card));
    expect(basic.facets).toEqual(full.facets);
    expect(basic.totalSize).toBe(full.totalSize);

    // Both views find the same products in the same order: a page token serves either.
    const first = await t.client.searchProducts(
      { query: "linen", sort: ProductSortOrder.PRICE_ASCENDING, pageSize: 1, view: ProductView.BASIC },
      t.customer,
    );
    expect(first.products.map((p) => p.name)).toEqual(["Linen Shirt"]);
    const second = await t.client.searchProducts(
      { query: "linen", sort: ProductSortOrder.PRICE_ASCENDING, pageSize: 1, pageToken: first.nextPageToken },
      t.customer,
    );
    expect(second.products.map((p) => p.name)).toEqual(["Linen Trousers"]);
  });

  it("keeps FULL, the default, as it was: whole products", async () => {
    const full = await search(ProductView.FULL);
    expect(await search(ProductView.UNSPECIFIED)).toEqual(full);
    expect(full.products).toEqual([shirt, trousers]);
    expect(full.products[0]!.images).toHaveLength(2);
    expect(full.products[0]!.description.length).toBeGreaterThan(9_000);
    // The point of BASIC: a fraction of the bytes.
    const bytes = (view: ProductView) =>
      search(view).then((answer) => toBinary(SearchProductsResponseSchema, answer).length);
    expect(await bytes(ProductView.BASIC)).toBeLessThan((await bytes(ProductView.FULL)) / 10);
  });

  it("shows staff the cards of products in any state", async () => {
    const { products } = await t.client.searchProducts(
      { query: "prototype", states: [ProductState.DRAFT], view: ProductView.BASIC },
      t.admin,
    );
    expect(products.map((p) => [p.name, p.state, p.description])).toEqual([
      ["Linen Prototype", ProductState.DRAFT, ""],
    ]);
  });

  it("keeps the cards current through every write of what they show", async () => {
    const staff = async (query: string) =>
      (
        await t.client.searchProducts(
          { query, states: [ProductState.ACTIVE, ProductState.ARCHIVED], view: ProductView.BASIC },
          t.admin,
        )
      ).products.map(card);
    const { product: current } = await t.client.getProduct({ id: trousers.id }, t.admin);
    await t.client.updateProduct(
      {
        product: {
          id: trousers.id,
          version: current!.version,
          name: "Linen Chinos",
          images: [{ url: "https://img.example.com/chinos.jpg", altText: "chinos" }],
        },
        updateMask: create(FieldMaskSchema, { paths: ["name", "images"] }),
      },
      t.admin,
    );
    const { product: changed } = await t.client.updateVariant(
      {
        variant: { id: current!.variants[0]!.id, price: { amountMinor: 1999n, currency: "EUR" } },
        updateMask: create(FieldMaskSchema, { paths: ["price"] }),
      },
      t.admin,
    );
    expect(changed!.priceFrom?.amountMinor).toBe(1999n);
    expect(await staff("chinos")).toEqual([card(changed!)]);
    const { product: archived } = await t.client.archiveProduct({ id: trousers.id }, t.admin);
    expect(archived!.state).toBe(ProductState.ARCHIVED);
    expect(await staff("chinos")).toEqual([card(archived!)]);
  });

  it("refuses an unknown view, naming the field", async () => {
    const error = await failure(t.client.searchProducts({ query: "linen", view: 7 as ProductView }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["view"]);
  });
});
