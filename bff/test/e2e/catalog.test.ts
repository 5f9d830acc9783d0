import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let admin: string;
let customer: string;
let clothing: Json;
let shirts: Json;
let draft: Json;
let redShirt: Json;
const PASSWORD = "a-long-enough-password";

async function login(email: string, password: string): Promise<string> {
  const res = await platform.request("/api/v1/auth/login", { method: "POST", json: { email, password } });
  return (await json(res)).accessToken;
}

async function adminPost(path: string, body: unknown): Promise<Json> {
  const res = await platform.request(`/admin/v1${path}`, { method: "POST", token: admin, json: body });
  expect(res.status, `${path}: ${JSON.stringify(await res.clone().json())}`).toBe(201);
  return json(res);
}

function product(name: string, sku: string, price: number, extra: Json = {}) {
  return {
    name,
    state: "active",
    variants: [{ sku, price: { amountMinor: price, currency: "EUR" }, weightGrams: 300 }],
    ...extra,
  };
}

beforeAll(async () => {
  platform = await startPlatform({ shop: true });
  admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  const email = `shopper${Date.now().toString(36)}@e2e.test`;
  await platform.request("/api/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } });
  customer = await login(email, PASSWORD);

  clothing = await adminPost("/categories", { name: "Clothing", slug: "clothing" });
  shirts = await adminPost("/categories", { name: "Shirts", parentId: clothing.id, position: 1 });
  await adminPost("/categories", { name: "Garden" });
  redShirt = await adminPost(
    "/products",
    product("Trail Shirt Red", "SHIRT-RED", 2500, {
      slug: "trail-shirt-red",
      categoryIds: [shirts.id],
      attributes: [{ name: "color", value: "red" }],
      images: [{ url: "https://img.example.com/red.jpg", altText: "A red shirt" }],
    }),
  );
  await adminPost(
    "/products",
    product("Trail Shirt Blue", "SHIRT-BLUE", 3500, {
      categoryIds: [shirts.id],
      attributes: [{ name: "color", value: "blue" }],
    }),
  );
  await adminPost(
    "/products",
    product("Garden Hose", "HOSE-1", 4500, { attributes: [{ name: "color", value: "green" }] }),
  );
  draft = await adminPost("/products", { ...product("Secret Prototype", "PROTO-1", 9900), state: "draft" });
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

describe("storefront catalog", () => {
  it("searches with text, filters, facets and paging", async () => {
    const all = await json(await platform.request("/api/v1/products?sort=price_asc"));
    expect(all.totalSize).toBe(3);
    expect(all.products.map((p: Json) => p.name)).toEqual([
      "Trail Shirt Red",
      "Trail Shirt Blue",
      "Garden Hose",
    ]);
    expect(all.products[0]).toMatchObject({
      slug: "trail-shirt-red",
      imageUrl: "https://img.example.com/red.jpg",
      priceFrom: { amountMinor: 2500, currency: "EUR" },
      variantCount: 1,
    });

    const red = await json(await platform.request("/api/v1/products?q=shirt&attr=color:red"));
    expect(red.products.map((p: Json) => p.slug)).toEqual(["trail-shirt-red"]);
    const colors = red.facets.attributes.find((f: Json) => f.name === "color");
    // a facet ignores its own filter, so the blue alternative is still counted
    expect(colors.values.map((v: Json) => v.value).sort()).toEqual(["blue", "red"]);

    const inCategory = await json(
      await platform.request(`/api/v1/products?category=${clothing.id}&maxPrice=3000`),
    );
    expect(inCategory.products.map((p: Json) => p.name)).toEqual(["Trail Shirt Red"]);

    const first = await json(await platform.request("/api/v1/products?pageSize=2&sort=name"));
    expect(first.products).toHaveLength(2);
    expect(first.nextPageToken).toBeTruthy();
    const second = await json(
      await platform.request(
        `/api/v1/products?pageSize=2&sort=name&pageToken=${encodeURIComponent(first.nextPageToken)}`,
      ),
    );
    expect(second.products.map((p: Json) => p.name)).toEqual(["Trail Shirt Red"]);
    expect(second.nextPageToken).toBeUndefined();
  });

  it("filters by stock with inStock=true, following inventory", async () => {
    const inStock = async (path: string) => json(await platform.request(path));
    const none = await inStock("/api/v1/products?q=shirt&inStock=true");
    expect(none).toMatchObject({ products: [], totalSize: 0 });
    expect(none.facets.inStock).toBe(0);

    const warehouse = await adminPost("/warehouses", {
      code: "E2E-STOCK",
      name: "E2E Stock",
      address: {
        recipient: "Shop",
        line1: "Lagerstraße 1",
        city: "Berlin",
        postalCode: "10115",
        countryCode: "DE",
      },
    });
    await adminPost("/stock/adjustments", {
      sku: "SHIRT-RED",
      warehouseId: warehouse.id,
      reason: "received",
      delta: 4,
    });
    const found = await waitFor(
      async () => {
        const page = await inStock("/api/v1/products?q=shirt&inStock=true");
        return page.totalSize === 1 && page;
      },
      { message: "the red shirt in stock" },
    );
    expect(found.products.map((p: Json) => p.slug)).toEqual(["trail-shirt-red"]);
    // Without the filter both shirts come back, and the facet tells how many are in stock.
    const all = await inStock("/api/v1/products?q=shirt");
    expect(all.totalSize).toBe(2);
    expect(all.facets.inStock).toBe(1);
    // Mobile shares the filter.
    const mobile = await inStock("/mobile/v1/products?q=shirt&inStock=true");
    expect(mobile.products.map((p: Json) => p.slug)).toEqual(["trail-shirt-red"]);

    const bad = await platform.request("/api/v1/products?inStock=maybe");
    expect(bad.status).toBe(400);
  });

  it("reads a product by slug and by id, with an ETag that answers 304", async () => {
    const bySlug = await platform.request("/api/v1/products/trail-shirt-red");
    expect(bySlug.status).toBe(200);
    expect(bySlug.headers.get("cache-control")).toBe("public, max-age=60");
    const etag = bySlug.headers.get("etag") ?? "";
    expect(etag).toMatch(/^W\/".+"$/);
    const body = await json(bySlug);
    expect(body).toMatchObject({ id: redShirt.id, state: "active", version: 1 });
    expect(body.variants[0]).toMatchObject({
      sku: "SHIRT-RED",
      price: { amountMinor: 2500, currency: "EUR" },
    });

    const byId = await platform.request(`/api/v1/products/${redShirt.id}`);
    expect(byId.headers.get("etag")).toBe(etag);
    const again = await platform.request(`/api/v1/products/${redShirt.id}`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    const signedIn = await platform.request("/api/v1/products/trail-shirt-red", { token: customer });
    expect(signedIn.headers.get("cache-control")).toMatch(/^private/);
  });

  it("hides drafts from customers but shows them to admins", async () => {
    expect((await platform.request(`/api/v1/products/${draft.id}`)).status).toBe(404);
    expect((await platform.request(`/api/v1/products/${draft.id}`, { token: customer })).status).toBe(404);
    const search = await json(await platform.request("/api/v1/products?q=prototype"));
    expect(search.products).toEqual([]);

    const read = await platform.request(`/admin/v1/products/${draft.id}`, { token: admin });
    expect(read.status).toBe(200);
    expect((await json(read)).state).toBe("draft");
    const drafts = await json(await platform.request("/admin/v1/products?state=draft", { token: admin }));
    expect(drafts.products.map((p: Json) => p.id)).toEqual([draft.id]);
  });

  it("serves the category tree nested, with an ETag", async () => {
    const res = await platform.request("/api/v1/categories");
    expect(res.status).toBe(200);
    const { categories } = await json(res);
    const top = categories.map((c: Json) => c.name).sort();
    expect(top).toEqual(["Clothing", "Garden"]);
    const node = categories.find((c: Json) => c.name === "Clothing");
    expect(node.children).toEqual([expect.objectContaining({ id: shirts.id, name: "Shirts", children: [] })]);
    expect(node.productCount).toBe(2);
    const again = await platform.request("/api/v1/categories", {
      headers: { "if-none-match": res.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("suggests products while typing", async () => {
    const res = await platform.request("/api/v1/search/suggest?q=trai");
    expect(res.status).toBe(200);
    const names = (await json(res)).suggestions.map((s: Json) => s.name).sort();
    expect(names).toEqual(["Trail Shirt Blue", "Trail Shirt Red"]);
  });

  it("names bad query parameters in a 400 problem", async () => {
    const res = await platform.request("/api/v1/products?pageSize=500&sort=cheapest&attr=nocolon");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const fields = (await json(res)).errors.map((e: Json) => e.field).sort();
    expect(fields).toEqual(["query.attr", "query.pageSize", "query.sort"]);
    const suggest = await platform.request("/api/v1/search/suggest");
    expect(suggest.status).toBe(400);
    expect((await json(suggest)).errors[0].field).toBe("query.q");
    const slug = await platform.request("/api/v1/products/Not_A_Slug");
    expect(slug.status).toBe(400);
    expect((await json(slug)).errors[0].field).toBe("path.idOrSlug");
  });
});

describe("mobile", () => {
  it("uses compact cards in search", async () => {
    const res = await json(await platform.request("/mobile/v1/products?q=hose"));
    expect(res.products).toEqual([
      {
        id: expect.any(String),
        slug: "garden-hose",
        name: "Garden Hose",
        imageUrl: "",
        priceFrom: { amountMinor: 4500, currency: "EUR" },
      },
    ]);
  });

  it("builds the home screen in one call, cart count included", async () => {
    const added = await json(
      await platform.request("/mobile/v1/cart/items", {
        method: "POST",
        json: { sku: "HOSE-1", quantity: 2 },
      }),
    );
    const res = await platform.request("/mobile/v1/home", { headers: { "x-cart-token": added.cartToken } });
    expect(res.status).toBe(200);
    const home = await json(res);
    expect(home.cartItemCount).toBe(2);
    expect(home.featured.map((p: Json) => p.name).sort()).toEqual([
      "Garden Hose",
      "Trail Shirt Blue",
      "Trail Shirt Red",
    ]);
    expect(home.featured[0]).not.toHaveProperty("attributes");
    expect(home.categories.map((c: Json) => c.name).sort()).toEqual(["Clothing", "Garden"]);
  });

  it("still answers the home screen when the cart cannot be read", async () => {
    const res = await platform.request("/mobile/v1/home", { headers: { "x-cart-token": "no-such-cart" } });
    expect(res.status).toBe(200);
    expect((await json(res)).cartItemCount).toBe(0);
  });
});

describe("admin catalog", () => {
  it("updates with the version read and refuses a stale one with 409", async () => {
    const created = await adminPost("/products", product("Versioned Mug", "MUG-1", 1200, { state: "draft" }));
    expect(created.version).toBe(1);
    const read = await platform.request(`/admin/v1/products/${created.id}`, { token: admin });
    expect(read.headers.get("etag")).toBe('"1"');

    const renamed = await platform.request(`/admin/v1/products/${created.id}`, {
      method: "PATCH",
      token: admin,
      headers: { "if-match": '"1"' },
      json: { name: "Versioned Mug XL", state: "active" },
    });
    expect(renamed.status).toBe(200);
    expect(await json(renamed)).toMatchObject({ name: "Versioned Mug XL", state: "active", version: 2 });

    const stale = await platform.request(`/admin/v1/products/${created.id}`, {
      method: "PATCH",
      token: admin,
      json: { description: "lost update", version: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(stale)).code).toBe("STALE_VERSION");
    const now = await json(await platform.request(`/api/v1/products/${created.id}`));
    expect(now.description).toBe("");

    const missing = await platform.request(`/admin/v1/products/${created.id}`, {
      method: "PATCH",
      token: admin,
      json: { name: "No version" },
    });
    expect(missing.status).toBe(428);
  });

  it("adds, changes and removes variants and archives products", async () => {
    const created = await adminPost("/products", product("Variant Cap", "CAP-S", 900, { state: "draft" }));
    const added = await adminPost(`/products/${created.id}/variants`, {
      sku: "CAP-L",
      optionValues: { size: "L" },
      price: { amountMinor: 1100 },
    });
    expect(added.variant).toMatchObject({ sku: "CAP-L", price: { amountMinor: 1100, currency: "EUR" } });
    expect(added.product.variants).toHaveLength(2);

    const changed = await platform.request(`/admin/v1/variants/${added.variant.id}`, {
      method: "PATCH",
      token: admin,
      json: { price: { amountMinor: 1300 } },
    });
    expect((await json(changed)).variant.price.amountMinor).toBe(1300);

    const removed = await platform.request(`/admin/v1/variants/${added.variant.id}`, {
      method: "DELETE",
      token: admin,
    });
    expect((await json(removed)).variants.map((v: Json) => v.sku)).toEqual(["CAP-S"]);

    const archived = await platform.request(`/admin/v1/products/${created.id}/archive`, {
      method: "POST",
      token: admin,
    });
    expect(archived.status).toBe(200);
    expect((await json(archived)).state).toBe("archived");
  });

  it("moves and deletes categories", async () => {
    const lonely = await adminPost("/categories", { name: "Lonely" });
    const moved = await platform.request(`/admin/v1/categories/${lonely.id}`, {
      method: "PATCH",
      token: admin,
      json: { parentId: clothing.id },
    });
    expect(moved.status).toBe(200);
    expect(await json(moved)).toMatchObject({ parentId: clothing.id, depth: 1 });
    const removed = await platform.request(`/admin/v1/categories/${lonely.id}`, {
      method: "DELETE",
      token: admin,
    });
    expect(removed.status).toBe(204);
    const notEmpty = await platform.request(`/admin/v1/categories/${shirts.id}`, {
      method: "DELETE",
      token: admin,
    });
    expect(notEmpty.status).toBe(422);
  });

  it("exports products as NDJSON", async () => {
    const res = await platform.request("/admin/v1/products/export?state=draft&state=active", {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const names = lines.map((p: Json) => p.name);
    expect(names).toContain("Secret Prototype");
    expect(names).toContain("Garden Hose");
    expect(names).not.toContain("Variant Cap");
    expect(lines.every((p: Json) => typeof p.version === "number" && Array.isArray(p.variants))).toBe(true);
  });

  it("refuses customers with 403", async () => {
    for (const [method, path] of [
      ["GET", "/admin/v1/products"],
      ["POST", "/admin/v1/products"],
      ["GET", "/admin/v1/products/export"],
      ["POST", "/admin/v1/categories"],
    ]) {
      const res = await platform.request(path as string, {
        method,
        token: customer,
        json: method === "POST" ? {} : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await platform.request("/admin/v1/products")).status).toBe(401);
  });

  it("names bad fields with 400, and values the catalog refuses with 422, never 500", async () => {
    const bad = await platform.request("/admin/v1/products", {
      method: "POST",
      token: admin,
      json: { name: "", variants: [{ sku: "OK-1", price: { amountMinor: -5 } }], color: "red" },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field).sort()).toEqual([
      "color",
      "name",
      "variants[0].price.amountMinor",
    ]);
    const taken = await platform.request("/admin/v1/products", {
      method: "POST",
      token: admin,
      json: product("Duplicate", "SHIRT-RED", 100),
    });
    expect(taken.status).toBe(409);
    const emptyActive = await platform.request("/admin/v1/products", {
      method: "POST",
      token: admin,
      json: { name: "Nothing to sell", state: "active" },
    });
    expect(emptyActive.status).toBe(422);
    expect(emptyActive.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("API description", () => {
  it("documents the catalog and inventory routes in /openapi.json", async () => {
    const res = await platform.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await json(res);
    for (const path of [
      "/api/v1/products",
      "/api/v1/products/{idOrSlug}",
      "/api/v1/categories",
      "/api/v1/search/suggest",
      "/mobile/v1/home",
      "/admin/v1/products/export",
      "/admin/v1/stock/adjustments",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(JSON.stringify(doc.components.schemas.CategoryNode)).toContain(
      '"$ref":"#/components/schemas/CategoryNode"',
    );
  });
});
