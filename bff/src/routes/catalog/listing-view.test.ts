import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  type Product,
  ProductSortOrder,
  ProductView,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createTokenVerifier } from "@shopmesh/kit/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productInit, startCatalog, type TestCatalog } from "../../../../services/catalog/test/support.ts";
import { createTestBff, type TestBff } from "../../../test/support/deps.ts";
import { json } from "../../../test/support/http.ts";
import { createApp } from "../../app.ts";
import { cardJson, compactCardJson, productJson } from "./mappers.ts";

/**
 * Listings ask a real catalog for its BASIC view (cards) and the admin's product list for FULL,
 * and a card made from a BASIC product is the card a FULL one makes.
 */

let catalog: TestCatalog;
let bff: TestBff;
let app: OpenAPIHono;
/** The view of every SearchProducts the BFF sent. */
const views: ProductView[] = [];
let full: Product[];

beforeAll(async () => {
  catalog = await startCatalog();
  const keys = async () => catalog.jwks;
  bff = await createTestBff(
    {},
    {
      catalog: {
        ...catalog.client,
        searchProducts(request, options) {
          views.push(request.view ?? ProductView.UNSPECIFIED);
          return catalog.client.searchProducts(request, options);
        },
      },
      // The catalog's test tokens, so an admin of the catalog is one of the BFF too.
      verifier: createTokenVerifier({ keys }),
      jwks: keys,
    },
  );
  app = createApp(bff.deps);
  for (const [sku, name] of [
    ["LIST1", "Harbour Jacket"],
    ["LIST2", "Harbour Cap"],
  ] as const) {
    await catalog.client.createProduct(
      {
        product: productInit(sku, {
          name,
          description: "Waxed cotton. ".repeat(100),
          images: [
            { url: `https://img.example.com/${sku}-1.jpg`, altText: "front" },
            { url: `https://img.example.com/${sku}-2.jpg`, altText: "back" },
          ],
        }),
      },
      catalog.admin,
    );
  }
  ({ products: full } = await catalog.client.searchProducts({
    query: "harbour",
    sort: ProductSortOrder.NAME,
    view: ProductView.FULL,
  }));
});

afterAll(async () => {
  await bff?.cleanup();
  await catalog?.stop();
});

/** The views the BFF asked for while `request` ran. */
async function viewsOf(request: () => Promise<unknown>): Promise<ProductView[]> {
  const before = views.length;
  await request();
  return views.slice(before);
}

describe("catalog listings", () => {
  it("ask for the BASIC view and give the web the cards a full product makes", async () => {
    let body: { products: unknown[] } = { products: [] };
    expect(
      await viewsOf(async () => {
        body = await json(await app.request("/api/v1/products?q=harbour&sort=name"));
      }),
    ).toEqual([ProductView.BASIC]);
    expect(full.map((p) => p.name)).toEqual(["Harbour Cap", "Harbour Jacket"]);
    expect(body.products).toEqual(full.map(cardJson));
  });

  it("give mobile the compact cards a full product makes, in search and on the home screen", async () => {
    let body: { products: unknown[] } = { products: [] };
    expect(
      await viewsOf(async () => {
        body = await json(await app.request("/mobile/v1/products?q=harbour&sort=name"));
      }),
    ).toEqual([ProductView.BASIC]);
    expect(body.products).toEqual(full.map(compactCardJson));

    let home: { featured: unknown[] } = { featured: [] };
    expect(
      await viewsOf(async () => {
        home = await json(await app.request("/mobile/v1/home"));
      }),
    ).toEqual([ProductView.BASIC]);
    const newest = (await catalog.client.searchProducts({ sort: ProductSortOrder.NEWEST })).products;
    expect(home.featured).toEqual(newest.map(compactCardJson));
  });

  it("leave the admin's product list whole", async () => {
    let body: { products: unknown[] } = { products: [] };
    expect(
      await viewsOf(async () => {
        const res = await app.request("/admin/v1/products?q=harbour&sort=name", {
          headers: { authorization: String(catalog.admin.call?.authorization) },
        });
        expect(res.status).toBe(200);
        body = await json(res);
      }),
    ).toEqual([ProductView.UNSPECIFIED]);
    expect(body.products).toEqual(full.map(productJson));
  });
});
