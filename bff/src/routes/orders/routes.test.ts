import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBff, type TestBff } from "../../../test/support/deps.ts";
import { type Json, json } from "../../../test/support/http.ts";
import { createApp } from "../../app.ts";

/**
 * What the order routes decide on their own, before any service is called: who may call them and
 * what input they accept. The services behind them are unreachable here (a call would answer
 * 503), so every assertion below also proves the request never left the BFF. The routes with the
 * real services are tested end to end in test/e2e/checkout.test.ts and orders*.test.ts.
 */

let bff: TestBff;
let app: OpenAPIHono;
let customer: string;
let support: string;

const ORDER_ID = "0193a0c4-5b7e-7d2a-9c41-6f0e2b7d9a10";
const checkout = {
  shippingAddress: {
    recipient: "Ada Lovelace",
    line1: "1 Analytical St",
    city: "Berlin",
    postalCode: "10115",
    countryCode: "DE",
  },
  shippingMethod: "standard",
  paymentToken: "tok_sandbox_visa",
};

beforeAll(async () => {
  bff = await createTestBff();
  app = createApp(bff.deps);
  customer = await bff.keys.sign({ userId: "0193a0c4-0000-7000-8000-000000000001" });
  support = await bff.keys.sign({ userId: "0193a0c4-0000-7000-8000-000000000002", roles: ["support"] });
});

afterAll(async () => {
  await bff?.cleanup();
});

function send(
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return app.request(path, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

const fields = (body: Json): string[] => body.errors.map((e: Json) => e.field).sort();

describe("checkout input", () => {
  it("answers 401 to an anonymous checkout, before looking at the input", async () => {
    const res = await send("/api/v1/checkout", { method: "POST", body: {} });
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe("AUTHENTICATION_REQUIRED");
  });

  it("names the Idempotency-Key header when it is missing", async () => {
    const res = await send("/api/v1/checkout", { method: "POST", token: customer, body: checkout });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.errors).toEqual([
      { field: "header.idempotency-key", message: expect.stringContaining("required") },
    ]);
  });

  it("refuses an Idempotency-Key that is too long or not printable ASCII", async () => {
    for (const key of ["k".repeat(256), "schlüssel"]) {
      const res = await send("/mobile/v1/checkout", {
        method: "POST",
        token: customer,
        body: checkout,
        headers: { "idempotency-key": key },
      });
      expect(res.status).toBe(400);
      expect(fields(await json(res))).toEqual(["header.idempotency-key"]);
    }
  });

  it("names every bad field of the body", async () => {
    const res = await send("/api/v1/checkout", {
      method: "POST",
      token: customer,
      headers: { "idempotency-key": "k-1" },
      body: {
        shippingAddress: { ...checkout.shippingAddress, recipient: " ", countryCode: "Germany", extra: 1 },
        shippingMethod: "teleport",
      },
    });
    expect(res.status).toBe(400);
    expect(fields(await json(res))).toEqual([
      "paymentToken",
      "shippingAddress.countryCode",
      "shippingAddress.extra",
      "shippingAddress.recipient",
      "shippingMethod",
    ]);
  });
});

describe("the customer's orders", () => {
  it("need a signed-in user", async () => {
    for (const path of ["/api/v1/orders", `/api/v1/orders/${ORDER_ID}`, "/mobile/v1/orders"]) {
      expect((await send(path, {})).status).toBe(401);
    }
    expect((await send(`/api/v1/orders/${ORDER_ID}/cancel`, { method: "POST" })).status).toBe(401);
  });

  it("name a malformed order id or page size", async () => {
    const bad = await send("/api/v1/orders/not-an-id", { token: customer });
    expect(bad.status).toBe(400);
    expect(fields(await json(bad))).toEqual(["path.id"]);
    const page = await send("/mobile/v1/orders?pageSize=1000", { token: customer });
    expect(fields(await json(page))).toEqual(["query.pageSize"]);
  });

  it("name bad return lines, including a SKU listed twice", async () => {
    const res = await send(`/api/v1/orders/${ORDER_ID}/returns`, {
      method: "POST",
      token: customer,
      body: {
        lines: [
          { sku: "TEE-M", quantity: 1 },
          { sku: "TEE-M", quantity: 0 },
        ],
        reason: "",
      },
    });
    expect(res.status).toBe(400);
    expect(fields(await json(res))).toEqual(["lines[1].quantity", "lines[1].sku", "reason"]);
  });
});

describe("admin order routes", () => {
  it("are for staff only", async () => {
    const res = await send("/admin/v1/orders", { token: customer });
    expect(res.status).toBe(403);
  });

  it("need orders.write for every change, which support lacks", async () => {
    for (const path of [
      `/admin/v1/orders/${ORDER_ID}/cancel`,
      `/admin/v1/orders/${ORDER_ID}/refund`,
      `/admin/v1/orders/${ORDER_ID}/mark-shipped`,
      `/admin/v1/returns/${ORDER_ID}/receive`,
    ]) {
      const res = await send(path, { method: "POST", token: support, body: {} });
      expect(res.status, path).toBe(403);
      expect((await json(res)).detail).toContain("orders.write");
    }
  });

  it("name an unknown status, a bad time and crossed bounds in the search", async () => {
    const res = await send(
      "/admin/v1/orders?status=confirmed,lost&status=shipped&from=yesterday&minTotal=500&maxTotal=100",
      { token: support },
    );
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(fields(body)).toEqual(["query.from", "query.status"]);
    expect(body.errors.find((e: Json) => e.field === "query.status").message).toContain('"lost"');
    const crossed = await send("/admin/v1/orders?minTotal=500&maxTotal=100", { token: support });
    expect(fields(await json(crossed))).toEqual(["query.maxTotal"]);
  });
});

describe("OpenAPI", () => {
  it("documents every order route with the Idempotency-Key header where it is required", async () => {
    const doc = await json(await app.request("/openapi.json"));
    for (const path of [
      "/api/v1/checkout",
      "/api/v1/orders",
      "/api/v1/orders/{id}",
      "/api/v1/orders/{id}/cancel",
      "/api/v1/orders/{id}/returns",
      "/mobile/v1/checkout",
      "/mobile/v1/orders",
      "/mobile/v1/orders/{id}",
      "/admin/v1/orders",
      "/admin/v1/orders/{id}",
      "/admin/v1/orders/{id}/refund",
      "/admin/v1/orders/{id}/mark-shipped",
      "/admin/v1/orders/{id}/mark-delivered",
      "/admin/v1/returns/{id}/review",
      "/admin/v1/returns/{id}/receive",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const header = doc.paths["/api/v1/checkout"].post.parameters.find((p: Json) => p.in === "header");
    expect(header).toMatchObject({ name: "idempotency-key", required: true });
    expect(doc.paths["/api/v1/checkout"].post.responses["201"].headers.Location).toBeDefined();
  });
});
