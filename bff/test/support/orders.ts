import { createHmac, randomUUID } from "node:crypto";
import { expect } from "vitest";
import { type Json, json } from "./http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform } from "./platform.ts";

/** Where test parcels go: the shipping service's domestic zone (its SHOP_COUNTRY defaults to DE). */
export const SHIPPING_ADDRESS = {
  recipient: "Ada Lovelace",
  line1: "1 Analytical Street",
  city: "Berlin",
  postalCode: "10115",
  countryCode: "DE",
};

const PASSWORD = "a-long-enough-password";
let serial = 0;

/** A registered, signed-in customer. */
export interface Customer {
  id: string;
  email: string;
  token: string;
}

export interface CheckoutInput {
  key?: string | undefined;
  paymentToken?: string;
  shippingMethod?: "standard" | "express";
  /** Default "web" (/api/v1). */
  surface?: "web" | "mobile";
  body?: Json;
}

/**
 * The steps of the order tests, through the BFF's REST routes as a client would take them:
 * the admin stocks a product, a customer fills a cart and checks out, the admin looks on.
 */
export interface Shop {
  admin: string;
  customer(): Promise<Customer>;
  /** An active product with one variant `sku`, `stock` units in a warehouse of its own. */
  product(sku: string, options: { priceMinor: number; stock: number; weightGrams?: number }): Promise<void>;
  addToCart(customer: Customer, sku: string, quantity: number): Promise<void>;
  checkout(customer: Customer, input?: CheckoutInput): Promise<Response>;
  /** Cart, then checkout, then the 201 answer's order (whatever its status). */
  buy(customer: Customer, items: Record<string, number>, input?: CheckoutInput): Promise<Json>;
  /** The stock level of `sku` summed over warehouses. */
  stock(sku: string): Promise<{ onHand: number; reserved: number; available: number }>;
  /** GET /admin/v1/orders/{id}. */
  adminOrder(id: string): Promise<Json>;
  /** POST /admin/v1/<path> as the admin. */
  adminPost(path: string, body?: Json, headers?: Record<string, string>): Promise<Response>;
  /** Sends a carrier status webhook for a tracking number through the BFF, signed with `secret`. */
  carrierWebhook(trackingNumber: string, status: string, secret: string): Promise<Response>;
}

/** Signs in the platform's admin and returns the steps above. */
export async function openShop(platform: Platform): Promise<Shop> {
  const admin = await login(platform, ADMIN_EMAIL, ADMIN_PASSWORD);

  async function adminPost(path: string, body?: Json, headers: Record<string, string> = {}) {
    return platform.request(`/admin/v1${path}`, {
      method: "POST",
      token: admin,
      headers,
      ...(body !== undefined ? { json: body } : {}),
    });
  }

  async function checkout(customer: Customer, input: CheckoutInput = {}): Promise<Response> {
    const prefix = input.surface === "mobile" ? "/mobile/v1" : "/api/v1";
    const key = "key" in input ? input.key : randomUUID();
    return platform.request(`${prefix}/checkout`, {
      method: "POST",
      token: customer.token,
      headers: key === undefined ? {} : { "idempotency-key": key },
      json: input.body ?? {
        shippingAddress: SHIPPING_ADDRESS,
        shippingMethod: input.shippingMethod ?? "standard",
        paymentToken: input.paymentToken ?? "tok_sandbox_visa",
      },
    });
  }

  async function addToCart(customer: Customer, sku: string, quantity: number) {
    const res = await platform.request("/api/v1/cart/items", {
      method: "POST",
      token: customer.token,
      json: { sku, quantity },
    });
    expect(res.status, `add ${sku} to the cart`).toBe(200);
  }

  return {
    admin,
    adminPost,
    checkout,
    addToCart,
    async customer() {
      serial += 1;
      const email = `buyer${serial}-${Date.now().toString(36)}@e2e.test`;
      const registered = await platform.request("/api/v1/auth/register", {
        method: "POST",
        json: { email, password: PASSWORD },
      });
      expect(registered.status).toBe(201);
      const { user } = await json(registered);
      return { id: user.id, email, token: await login(platform, email, PASSWORD) };
    },
    async product(sku, { priceMinor, stock, weightGrams = 250 }) {
      const created = await adminPost("/products", {
        name: `Product ${sku}`,
        state: "active",
        variants: [{ sku, price: { amountMinor: priceMinor, currency: "EUR" }, weightGrams }],
      });
      expect(created.status, `create ${sku}`).toBe(201);
      const code = `W${sku.replaceAll(/[^A-Z0-9]/gi, "").toUpperCase()}`.slice(0, 32);
      const warehouse = await adminPost("/warehouses", {
        code,
        name: `Warehouse of ${sku}`,
        address: {
          recipient: "Shop",
          line1: "1 Dock Rd",
          city: "Hamburg",
          postalCode: "20457",
          countryCode: "DE",
        },
      });
      expect(warehouse.status, `warehouse for ${sku}`).toBe(201);
      const received = await adminPost("/stock/adjustments", {
        sku,
        warehouseId: (await json(warehouse)).id,
        reason: "received",
        delta: stock,
      });
      expect(received.status, `stock ${sku}`).toBe(201);
    },
    async buy(customer, items, input = {}) {
      for (const [sku, quantity] of Object.entries(items)) await addToCart(customer, sku, quantity);
      const res = await checkout(customer, input);
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(201);
      return body;
    },
    async stock(sku) {
      const res = await platform.request(`/admin/v1/stock/levels?sku=${encodeURIComponent(sku)}`, {
        token: admin,
      });
      expect(res.status).toBe(200);
      const levels: Json[] = (await json(res)).stockLevels;
      const sum = (key: string) => levels.reduce((total, level) => total + level[key], 0);
      return { onHand: sum("onHand"), reserved: sum("reserved"), available: sum("available") };
    },
    async adminOrder(id) {
      const res = await platform.request(`/admin/v1/orders/${id}`, { token: admin });
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body;
    },
    async carrierWebhook(trackingNumber, status, secret) {
      const payload = JSON.stringify({
        id: `evt_${randomUUID()}`,
        type: "shipment.status",
        created: Math.floor(Date.now() / 1000),
        data: { tracking_number: trackingNumber, status, location: "Berlin", note: "" },
      });
      return platform.request("/webhooks/shipping/simcarrier", {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-signature": sign(payload, secret) },
        body: payload,
      });
    },
  };
}

/** The webhook signature header of payment.proto / shipping.proto: `t=<unix s>,v1=<hex HMAC>`. */
export function sign(payload: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${payload}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

async function login(platform: Platform, email: string, password: string): Promise<string> {
  const res = await platform.request("/api/v1/auth/login", { method: "POST", json: { email, password } });
  expect(res.status).toBe(200);
  return (await json(res)).accessToken;
}
