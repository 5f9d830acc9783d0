import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let admin: string;
let customer: string;
let warehouse: Json;
const PASSWORD = "a-long-enough-password";
const ADDRESS = {
  recipient: "Shop",
  line1: "1 Dock Rd",
  city: "Hamburg",
  postalCode: "20457",
  countryCode: "DE",
};

async function login(email: string, password: string): Promise<string> {
  const res = await platform.request("/api/v1/auth/login", { method: "POST", json: { email, password } });
  return (await json(res)).accessToken;
}

function adjust(body: Json) {
  return platform.request("/admin/v1/stock/adjustments", { method: "POST", token: admin, json: body });
}

beforeAll(async () => {
  platform = await startPlatform({ shop: true });
  admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  const email = `stock${Date.now().toString(36)}@e2e.test`;
  await platform.request("/api/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } });
  customer = await login(email, PASSWORD);
  const created = await platform.request("/admin/v1/products", {
    method: "POST",
    token: admin,
    json: {
      name: "Stocked Lamp",
      state: "active",
      variants: [{ sku: "LAMP-1", price: { amountMinor: 4900, currency: "EUR" } }],
    },
  });
  expect(created.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

describe("admin inventory", () => {
  it("creates, lists and updates warehouses", async () => {
    const res = await platform.request("/admin/v1/warehouses", {
      method: "POST",
      token: admin,
      json: { code: "HAM-1", name: "Hamburg", address: ADDRESS, priority: 1 },
    });
    expect(res.status).toBe(201);
    warehouse = await json(res);
    expect(warehouse).toMatchObject({ code: "HAM-1", active: true, address: ADDRESS });

    const taken = await platform.request("/admin/v1/warehouses", {
      method: "POST",
      token: admin,
      json: { code: "HAM-1", name: "Again", address: ADDRESS },
    });
    expect(taken.status).toBe(409);

    const renamed = await platform.request(`/admin/v1/warehouses/${warehouse.id}`, {
      method: "PATCH",
      token: admin,
      json: { name: "Hamburg Port" },
    });
    expect(await json(renamed)).toMatchObject({ name: "Hamburg Port", code: "HAM-1", priority: 1 });

    const list = await json(await platform.request("/admin/v1/warehouses", { token: admin }));
    expect(list.warehouses.map((w: Json) => w.name)).toEqual(["Hamburg Port"]);
  });

  it("records stock adjustments that customers see as availability in the cart", async () => {
    const guest = await json(
      await platform.request("/mobile/v1/cart/items", {
        method: "POST",
        json: { sku: "LAMP-1", quantity: 3 },
      }),
    );
    expect(guest.lines[0]).toMatchObject({ sku: "LAMP-1", available: false, availableQuantity: 0 });

    const received = await adjust({
      sku: "LAMP-1",
      warehouseId: warehouse.id,
      reason: "received",
      delta: 5,
      note: "PO 7",
    });
    expect(received.status).toBe(201);
    const body = await json(received);
    expect(body.adjustment).toMatchObject({ delta: 5, reason: "received", note: "PO 7", onHandAfter: 5 });
    expect(body.adjustment.actor).toMatch(/^user:/);
    expect(body.stockLevel).toMatchObject({ sku: "LAMP-1", onHand: 5, reserved: 0, available: 5 });

    const cart = await json(
      await platform.request("/mobile/v1/cart", { headers: { "x-cart-token": guest.cartToken } }),
    );
    expect(cart.lines[0]).toMatchObject({ sku: "LAMP-1", available: true, availableQuantity: 5 });

    const counted = await json(
      await adjust({ sku: "LAMP-1", warehouseId: warehouse.id, reason: "counted", countedQuantity: 2 }),
    );
    expect(counted.adjustment).toMatchObject({ delta: -3, onHandAfter: 2 });
    const levels = await json(await platform.request("/admin/v1/stock/levels?sku=LAMP-1", { token: admin }));
    expect(levels.stockLevels).toEqual([
      expect.objectContaining({ warehouseId: warehouse.id, onHand: 2, available: 2 }),
    ]);
    const history = await json(
      await platform.request("/admin/v1/stock/adjustments?sku=LAMP-1", { token: admin }),
    );
    expect(history.adjustments.map((a: Json) => a.reason)).toEqual(["counted", "received"]);
  });

  it("sets a low-stock threshold", async () => {
    const res = await platform.request("/admin/v1/stock/thresholds/LAMP-1", {
      method: "PUT",
      token: admin,
      json: { lowStockThreshold: 10 },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ sku: "LAMP-1", lowStockThreshold: 10, lowStock: true });
    const levels = await json(await platform.request("/admin/v1/stock/levels?sku=LAMP-1", { token: admin }));
    expect(levels.stockLevels[0].lowStockThreshold).toBe(10);
  });

  it("names bad adjustments in a 400 and refuses impossible ones with 422", async () => {
    const bad = await adjust({ sku: "LAMP 1", warehouseId: "nope", reason: "counted", delta: 1 });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field).sort()).toEqual([
      "countedQuantity",
      "delta",
      "sku",
      "warehouseId",
    ]);
    const wrongSign = await adjust({ sku: "LAMP-1", warehouseId: warehouse.id, reason: "damaged", delta: 4 });
    expect(wrongSign.status).toBe(422);
    const belowZero = await adjust({
      sku: "LAMP-1",
      warehouseId: warehouse.id,
      reason: "damaged",
      delta: -50,
    });
    expect(belowZero.status).toBe(422);
    expect(belowZero.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses customers with 403", async () => {
    for (const [method, path] of [
      ["GET", "/admin/v1/warehouses"],
      ["POST", "/admin/v1/warehouses"],
      ["POST", "/admin/v1/stock/adjustments"],
      ["GET", "/admin/v1/stock/levels"],
    ]) {
      const res = await platform.request(path as string, {
        method,
        token: customer,
        json: method === "POST" ? {} : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});
