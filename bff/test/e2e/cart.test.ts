import { CatalogService, ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { AdjustmentReason, InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let adminToken: string;
const PASSWORD = "a-long-enough-password";

beforeAll(async () => {
  platform = await startPlatform({ shop: true });
  const login = await platform.request("/api/v1/auth/login", {
    method: "POST",
    json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  adminToken = (await json(login)).accessToken;
  const call = { call: { authorization: `Bearer ${adminToken}` } };
  const catalog = createRpcClient(CatalogService, { address: platform.shop?.catalogAddress ?? "" });
  const inventory = createRpcClient(InventoryService, { address: platform.shop?.inventoryAddress ?? "" });
  await catalog.createProduct(
    {
      product: {
        slug: "e2e-tee",
        name: "E2E Tee",
        state: ProductState.ACTIVE,
        variants: [
          { sku: "E2E-TEE-M", title: "M", price: { amountMinor: 1999n, currency: "EUR" }, weightGrams: 200 },
          { sku: "E2E-TEE-L", title: "L", price: { amountMinor: 2199n, currency: "EUR" }, weightGrams: 220 },
        ],
      },
    },
    call,
  );
  const { warehouse } = await inventory.createWarehouse(
    {
      warehouse: {
        code: "E2E",
        name: "E2E warehouse",
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
    },
    call,
  );
  await inventory.adjustStock(
    {
      sku: "E2E-TEE-M",
      warehouseId: warehouse?.id ?? "",
      reason: AdjustmentReason.RECEIVED,
      change: { case: "delta", value: 5n },
    },
    call,
  );
  catalog.close();
  inventory.close();
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

function cookieOf(res: Response, name: string): string {
  const match = new RegExp(`(${name}=[^;]*)`).exec(res.headers.get("set-cookie") ?? "");
  return match?.[1] ?? "";
}

describe("cart through the BFF", () => {
  it("gives a guest a cart on first add, priced and with availability", async () => {
    const empty = await platform.request("/api/v1/cart");
    expect(await json(empty)).toMatchObject({ lines: [], itemCount: 0 });

    const added = await platform.request("/api/v1/cart/items", {
      method: "POST",
      json: { sku: "E2E-TEE-M", quantity: 2 },
    });
    expect(added.status).toBe(200);
    const cookie = cookieOf(added, "__Host-shopmesh_cart");
    expect(cookie).toBeTruthy();
    expect(added.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    const cart = await json(added);
    expect(cart.itemCount).toBe(2);
    expect(cart.subtotal).toEqual({ amountMinor: 3998, currency: "EUR" });
    expect(cart.lines[0]).toMatchObject({
      sku: "E2E-TEE-M",
      quantity: 2,
      productName: "E2E Tee",
      available: true,
    });

    const out = await platform.request("/api/v1/cart/items", {
      method: "POST",
      headers: { cookie },
      json: { sku: "E2E-TEE-L", quantity: 1 },
    });
    const withL = await json(out);
    const large = withL.lines.find((line: Json) => line.sku === "E2E-TEE-L");
    expect(large).toMatchObject({ available: false, availableQuantity: 0 });

    const changed = await platform.request("/api/v1/cart/items/E2E-TEE-M", {
      method: "PATCH",
      headers: { cookie },
      json: { quantity: 3 },
    });
    expect((await json(changed)).lines.find((l: Json) => l.sku === "E2E-TEE-M").quantity).toBe(3);

    const removed = await platform.request("/api/v1/cart/items/E2E-TEE-L", {
      method: "DELETE",
      headers: { cookie },
    });
    expect((await json(removed)).lines).toHaveLength(1);

    const cleared = await platform.request("/api/v1/cart", { method: "DELETE", headers: { cookie } });
    expect(await json(cleared)).toMatchObject({ lines: [], itemCount: 0 });
  });

  it("names bad input and unknown products", async () => {
    const bad = await platform.request("/api/v1/cart/items", {
      method: "POST",
      json: { sku: "no spaces", quantity: 0 },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field).sort()).toEqual(["quantity", "sku"]);
    const unknown = await platform.request("/api/v1/cart/items", {
      method: "POST",
      json: { sku: "NOPE-1", quantity: 1 },
    });
    expect(unknown.status).toBe(404);
  });

  it("merges the guest cart into the user's at login", async () => {
    const email = `cart${Date.now().toString(36)}@e2e.test`;
    await platform.request("/api/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } });
    const guest = await platform.request("/api/v1/cart/items", {
      method: "POST",
      json: { sku: "E2E-TEE-M", quantity: 1 },
    });
    const cookie = cookieOf(guest, "__Host-shopmesh_cart");
    const login = await platform.request("/api/v1/auth/login", {
      method: "POST",
      headers: { cookie },
      json: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get("set-cookie")).toMatch(/__Host-shopmesh_cart=;/);
    const token = (await json(login)).accessToken;
    const mine = await json(await platform.request("/api/v1/cart", { token }));
    expect(mine.lines).toEqual([expect.objectContaining({ sku: "E2E-TEE-M", quantity: 1 })]);
    // the guest token is gone: as a guest it is an empty cart now
    expect((await json(await platform.request("/api/v1/cart", { headers: { cookie } }))).lines).toEqual([]);
  });

  it("keeps a mobile guest's cart token in the X-Cart-Token header", async () => {
    const added = await platform.request("/mobile/v1/cart/items", {
      method: "POST",
      json: { sku: "E2E-TEE-M" },
    });
    expect(added.status).toBe(200);
    const body = await json(added);
    expect(body.cartToken).toBeTruthy();
    expect(added.headers.get("x-cart-token")).toBe(body.cartToken);
    const read = await json(
      await platform.request("/mobile/v1/cart", { headers: { "x-cart-token": body.cartToken } }),
    );
    expect(read.itemCount).toBe(1);
  });
});
