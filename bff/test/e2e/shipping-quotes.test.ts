import type { OpenAPIHono } from "@hono/zod-openapi";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService, ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { AdjustmentReason, InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestShipping, type TestShipping } from "../../../services/shipping/test/support.ts";
import { createApp } from "../../src/app.ts";
import { createTestBff, type TestBff } from "../support/deps.ts";
import { json } from "../support/http.ts";
import { type RunningShop, SHOP_SERVICE_SECRET, startTestShop } from "../support/shop.ts";

/**
 * GET /cart/shipping-quotes on the web and mobile surfaces, with the real catalog, inventory,
 * cart and shipping services behind the BFF: the cart is priced and weighed by the services, the
 * quotes come from shipping's rate table.
 */

let database: TestDatabase;
let prefix: string;
let shop: RunningShop;
let shipping: TestShipping;
let bff: TestBff;
let app: OpenAPIHono;
let cart: RpcClient<typeof CartService>;

beforeAll(async () => {
  database = await createTestDatabase();
  prefix = testPrefix();
  // No identity: staff work is done with a service token, and only guests shop here.
  shop = await startTestShop({ databaseUrl: database.url, prefix, identityAddress: "127.0.0.1:1" });
  shipping = await startTestShipping({
    databaseUrl: database.url,
    prefix,
    serviceSecret: SHOP_SERVICE_SECRET,
  });
  const asService = { serviceToken: createServiceToken({ service: "e2e", secret: SHOP_SERVICE_SECRET }) };
  const catalog = createRpcClient(CatalogService, { address: shop.catalogAddress, ...asService });
  const inventory = createRpcClient(InventoryService, { address: shop.inventoryAddress, ...asService });
  await catalog.createProduct({
    product: {
      slug: "ship-tee",
      name: "Shipping Tee",
      state: ProductState.ACTIVE,
      variants: [
        { sku: "SHIP-TEE-M", title: "M", price: { amountMinor: 1999n, currency: "EUR" }, weightGrams: 250 },
        {
          sku: "SHIP-ANVIL",
          title: "Anvil",
          price: { amountMinor: 9900n, currency: "EUR" },
          weightGrams: 16_000,
        },
      ],
    },
  });
  const { warehouse } = await inventory.createWarehouse({
    warehouse: {
      code: "SHIP",
      name: "Shipping warehouse",
      priority: 1,
      active: true,
      address: {
        recipient: "Shop",
        line1: "1 Dock Rd",
        city: "Hamburg",
        postalCode: "20457",
        countryCode: "DE",
      },
    },
  });
  for (const sku of ["SHIP-TEE-M", "SHIP-ANVIL"]) {
    await inventory.adjustStock({
      sku,
      warehouseId: warehouse?.id ?? "",
      reason: AdjustmentReason.RECEIVED,
      change: { case: "delta", value: 50n },
    });
  }
  catalog.close();
  inventory.close();
  cart = createRpcClient(CartService, { address: shop.cartAddress, timeoutMs: 10_000 });
  bff = await createTestBff({}, { cart, shipping: shipping.client });
  app = createApp(bff.deps);
}, 90_000);

afterAll(async () => {
  cart?.close();
  await bff?.cleanup();
  await shipping?.stop();
  await shop?.close();
  if (prefix) await deleteStreams(prefix).catch(() => undefined);
  await database?.drop();
});

/** A web guest's cart with these lines: its cookie header. */
async function webCart(lines: { sku: string; quantity: number }[]): Promise<string> {
  let cookie = "";
  for (const line of lines) {
    const res = await app.request("/api/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(line),
    });
    expect(res.status).toBe(200);
    cookie ||= /([^;,\s]+_cart=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
  }
  expect(cookie).toBeTruthy();
  return cookie;
}

function quotes(surface: "api" | "mobile", query: string, headers: Record<string, string> = {}) {
  return app.request(`/${surface}/v1/cart/shipping-quotes?${query}`, { headers });
}

describe("GET /api/v1/cart/shipping-quotes", () => {
  it("quotes the guest's cart by weight and zone, cheapest first, money as in the cart", async () => {
    const cookie = await webCart([{ sku: "SHIP-TEE-M", quantity: 3 }]);
    const res = await quotes("api", "countryCode=DE&postalCode=10115", { cookie });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      countryCode: "DE",
      weightGrams: 750,
      quotes: [
        {
          method: "standard",
          zone: "domestic",
          price: { amountMinor: 490, currency: "EUR" },
          minDays: 1,
          maxDays: 3,
        },
        {
          method: "express",
          zone: "domestic",
          price: { amountMinor: 990, currency: "EUR" },
          minDays: 1,
          maxDays: 1,
        },
      ],
    });
  });

  it("takes a lower-case country code and prices the EU zone", async () => {
    const cookie = await webCart([{ sku: "SHIP-TEE-M", quantity: 5 }]);
    const body = await json(await quotes("api", "countryCode=fr", { cookie }));
    expect(body.countryCode).toBe("FR");
    expect(body.weightGrams).toBe(1250);
    expect(
      body.quotes.map((q: { zone: string; price: { amountMinor: number } }) => [q.zone, q.price.amountMinor]),
    ).toEqual([
      ["eu", 1590],
      ["eu", 2990],
    ]);
  });

  it("is 422 SHIPPING_UNAVAILABLE when no method takes the cart's weight there", async () => {
    const cookie = await webCart([{ sku: "SHIP-ANVIL", quantity: 2 }]);
    const res = await quotes("api", "countryCode=DE", { cookie });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await json(res)).toMatchObject({ code: "SHIPPING_UNAVAILABLE" });
    // Only standard takes 16 kg outside the EU.
    const one = await webCart([{ sku: "SHIP-ANVIL", quantity: 1 }]);
    const world = await json(await quotes("api", "countryCode=US", { cookie: one }));
    expect(world.quotes.map((q: { method: string }) => q.method)).toEqual(["standard"]);
  });

  it("is 422 naming countryCode for a code that is no country", async () => {
    const cookie = await webCart([{ sku: "SHIP-TEE-M", quantity: 1 }]);
    const res = await quotes("api", "countryCode=XX", { cookie });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([
      { field: "query.countryCode", message: "must be an ISO 3166-1 alpha-2 country code" },
    ]);
  });

  it("is 400 for a malformed or missing country code, before any service is asked", async () => {
    for (const query of ["countryCode=D", "countryCode=DEU", "postalCode=10115"]) {
      const res = await quotes("api", query);
      expect(res.status).toBe(400);
      expect((await json(res)).errors.map((e: { field: string }) => e.field)).toEqual(["query.countryCode"]);
    }
  });

  it("is 422 CART_NOT_PURCHASABLE naming the cart for a visitor without a cart, or an unknown one", async () => {
    const unknown = `ct_${"A".repeat(43)}`;
    for (const cookie of ["", `__Host-shopmesh_cart=${unknown}`, "__Host-shopmesh_cart=tampered"]) {
      const headers: Record<string, string> = cookie ? { cookie } : {};
      const res = await quotes("api", "countryCode=DE", headers);
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await json(res)).toMatchObject({
        code: "CART_NOT_PURCHASABLE",
        errors: [{ field: "cart", message: "has nothing to ship" }],
      });
    }
  });

  it("is 422 for an emptied cart", async () => {
    const cookie = await webCart([{ sku: "SHIP-TEE-M", quantity: 1 }]);
    await app.request("/api/v1/cart", { method: "DELETE", headers: { cookie } });
    const res = await quotes("api", "countryCode=DE", { cookie });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe("CART_NOT_PURCHASABLE");
  });
});

describe("GET /mobile/v1/cart/shipping-quotes", () => {
  it("quotes the cart of the X-Cart-Token header", async () => {
    const added = await app.request("/mobile/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "SHIP-TEE-M", quantity: 4 }),
    });
    const token = added.headers.get("X-Cart-Token") ?? "";
    expect(token).toBeTruthy();
    const res = await quotes("mobile", "countryCode=JP", { "X-Cart-Token": token });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ countryCode: "JP", weightGrams: 1000 });
    expect(body.quotes).toEqual([
      {
        method: "standard",
        zone: "world",
        price: { amountMinor: 1990, currency: "EUR" },
        minDays: 6,
        maxDays: 14,
      },
      {
        method: "express",
        zone: "world",
        price: { amountMinor: 4990, currency: "EUR" },
        minDays: 2,
        maxDays: 5,
      },
    ]);
    expect((await quotes("mobile", "countryCode=JP")).status).toBe(422);
  });
});

describe("the OpenAPI document", () => {
  it("describes the quote route on both surfaces", async () => {
    const doc = await json(await app.request("/openapi.json"));
    for (const path of ["/api/v1/cart/shipping-quotes", "/mobile/v1/cart/shipping-quotes"]) {
      expect(doc.paths[path]?.get?.parameters?.map((p: { name: string }) => p.name)).toEqual([
        "countryCode",
        "postalCode",
      ]);
    }
    expect(doc.components.schemas.CartShippingQuotes).toBeDefined();
  });
});
