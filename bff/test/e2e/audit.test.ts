import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import { OrderPlacedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { createEventPublisher, derivedEventId } from "@shopmesh/kit/events";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditPlatform, startAuditPlatform } from "../support/audit.ts";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../support/platform.ts";

let platform: AuditPlatform;
let admin: string;
let customer: { token: string; id: string; email: string };
const PASSWORD = "a-long-enough-password";

async function login(email: string, password = PASSWORD): Promise<Json> {
  const res = await platform.request("/api/v1/auth/login", { method: "POST", json: { email, password } });
  expect(res.status).toBe(200);
  return json(res);
}

async function register(): Promise<{ token: string; id: string; email: string }> {
  const email = `audit${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@e2e.test`;
  const res = await platform.request("/api/v1/auth/register", {
    method: "POST",
    json: { email, password: PASSWORD },
  });
  expect(res.status).toBe(201);
  const body = await login(email);
  return { token: body.accessToken, id: body.user.id, email };
}

/** The audit log as the admin sees it, once it holds an entry of `type` about `subject`. */
async function entryOf(type: string, subject: string): Promise<Json> {
  return waitFor(
    async () => {
      const res = await platform.request(`/admin/v1/audit?type=${type}&subject=${subject}`, { token: admin });
      const body = await json(res);
      return res.status === 200 && body.entries[0];
    },
    { timeoutMs: 15_000, message: `${type} of ${subject} in the audit log` },
  );
}

beforeAll(async () => {
  platform = await startAuditPlatform();
  admin = (await login(ADMIN_EMAIL, ADMIN_PASSWORD)).accessToken;
  customer = await register();
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

describe("GET /admin/v1/audit", () => {
  it("shows a signup as it happened, without the e-mail address", async () => {
    const entry = await entryOf("shopmesh.identity.v1.UserRegistered", customer.id);
    expect(entry).toMatchObject({
      type: "shopmesh.identity.v1.UserRegistered",
      context: "identity",
      subject: customer.id,
      summary: { userId: customer.id },
    });
    expect(entry.sequence).toBeGreaterThan(0);
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entry)).not.toContain(customer.email);
  });

  it("filters by package and pages with a token", async () => {
    await entryOf("shopmesh.identity.v1.UserRegistered", customer.id);
    const first = await json(
      await platform.request("/admin/v1/audit?type=shopmesh.identity.v1.&pageSize=1", { token: admin }),
    );
    expect(first.entries).toHaveLength(1);
    expect(first.nextPageToken).toBeTruthy();
    const second = await json(
      await platform.request(
        `/admin/v1/audit?type=shopmesh.identity.v1.&pageSize=1&pageToken=${encodeURIComponent(first.nextPageToken)}`,
        { token: admin },
      ),
    );
    expect(second.entries[0].sequence).toBeLessThan(first.entries[0].sequence);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const none = await json(await platform.request(`/admin/v1/audit?from=${later}`, { token: admin }));
    expect(none.entries).toEqual([]);
  });

  it("answers 400 for bad filters", async () => {
    const res = await platform.request("/admin/v1/audit?type=no%20spaces&from=yesterday", { token: admin });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.errors.map((e: Json) => e.field).sort()).toEqual(["query.from", "query.type"]);
  });

  it("is for staff: 403 for a customer, 401 without a token", async () => {
    const res = await platform.request("/admin/v1/audit", { token: customer.token });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await platform.request("/admin/v1/audit")).status).toBe(401);
  });
});

describe("POST /admin/v1/audit/verify", () => {
  it("verifies the chain for an admin", async () => {
    await entryOf("shopmesh.identity.v1.UserRegistered", customer.id);
    const res = await platform.request("/admin/v1/audit/verify", { method: "POST", token: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ valid: true });
    expect(body.entriesChecked).toBe(body.headSequence);
    expect(body.firstBrokenSequence).toBeUndefined();
  });

  it("is for admins: 403 for support and customers", async () => {
    const helper = await register();
    const promoted = await platform.request(`/admin/v1/users/${helper.id}/roles`, {
      method: "PUT",
      token: admin,
      json: { roles: ["support"] },
    });
    expect(promoted.status).toBe(200);
    const support = (await login(helper.email)).accessToken;
    expect(
      (await platform.request("/admin/v1/audit/verify", { method: "POST", token: support })).status,
    ).toBe(403);
    expect((await platform.request("/admin/v1/audit", { token: support })).status).toBe(200);
    expect((await platform.request("/admin/v1/dashboard", { token: support })).status).toBe(200);
    expect(
      (await platform.request("/admin/v1/audit/verify", { method: "POST", token: customer.token })).status,
    ).toBe(403);
  });
});

describe("GET /admin/v1/dashboard", () => {
  it("counts today's signups", async () => {
    await entryOf("shopmesh.identity.v1.UserRegistered", customer.id);
    const today = new Date().toISOString().slice(0, 10);
    const res = await platform.request(`/admin/v1/dashboard?from=${today}&to=${today}`, { token: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ from: today, to: today, totals: [], topProducts: [] });
    expect(body.signups).toBeGreaterThanOrEqual(2);
    expect(body.dailySignups).toEqual([{ date: today, count: body.signups }]);
    expect(body.asOf.sequence).toBeGreaterThan(0);
  });

  it("gives the checkout conversion, carts -> orders, per day and over the range", async () => {
    // No cart or order service here: their events are published as the cart publishes its own
    // (the kit's publisher, ids derived from the cart), dated yesterday to stay out of today.
    const yesterday = new Date(Date.now() - 86_400_000);
    const day = yesterday.toISOString().slice(0, 10);
    const cartStream = platform.audit.consumers.status().find((status) => status.context === "cart")!.stream;
    const prefix = cartStream.slice(0, -"_CART".length).toLowerCase();
    const publish = async (context: string) => {
      const publisher = createEventPublisher({ nats: platform.audit.nats, context, prefix });
      await publisher.ensureStream();
      return publisher;
    };
    const carts = await publish("cart");
    const orders = await publish("order");
    try {
      for (const cartId of [crypto.randomUUID(), crypto.randomUUID()]) {
        await carts.publish({
          schema: CartCreatedSchema,
          aggregateId: cartId,
          id: derivedEventId(cartId, CartCreatedSchema.typeName, yesterday),
          time: yesterday,
          data: { cartId, createTime: timestampFromDate(yesterday) },
        });
      }
      const orderId = crypto.randomUUID();
      await orders.publish({
        schema: OrderPlacedSchema,
        aggregateId: orderId,
        data: {
          order: {
            id: orderId,
            createTime: timestampFromDate(yesterday),
            total: { amountMinor: 1000n, currency: "EUR" },
          },
        },
      });
    } finally {
      carts.close();
      orders.close();
    }

    const body = await waitFor(
      async () => {
        const res = await platform.request(`/admin/v1/dashboard?from=${day}&to=${day}&currency=USD`, {
          token: admin,
        });
        const answer = await json(res);
        return res.status === 200 && answer.cartsCreated === 2 && answer.ordersPlaced === 1 && answer;
      },
      { timeoutMs: 15_000, message: "the carts and the order in the dashboard" },
    );
    // The currency filter narrows the orders' totals, not the carts -> orders figures.
    expect(body).toMatchObject({
      totals: [],
      cartsCreated: 2,
      ordersPlaced: 1,
      cartConversion: 0.5,
      dailyCartConversion: [{ date: day, cartsCreated: 2, ordersPlaced: 1, conversion: 0.5 }],
    });
    const all = await json(
      await platform.request(`/admin/v1/dashboard?from=${day}&to=${day}`, { token: admin }),
    );
    expect(all.totals).toMatchObject([
      { currency: "EUR", ordersPlaced: 1, ordersConfirmed: 0, checkoutSuccessRate: 0, checkoutConversion: 0 },
    ]);
  });

  it("answers 400 for a bad range and 403 for a customer", async () => {
    const bad = await platform.request("/admin/v1/dashboard?from=2026-02-10&to=2026-02-01&currency=eur", {
      token: admin,
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: Json) => e.field).sort()).toEqual(["query.currency", "query.to"]);
    expect((await platform.request("/admin/v1/dashboard", { token: customer.token })).status).toBe(403);
  });
});

describe("/openapi.json", () => {
  it("documents the audit routes from their schemas", async () => {
    const doc = await json(await platform.request("/openapi.json"));
    expect(doc.paths["/admin/v1/audit"].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(["actor", "subject", "type", "from", "to", "pageSize", "pageToken"]),
    );
    expect(doc.paths["/admin/v1/audit/verify"].post.responses["200"]).toBeDefined();
    expect(doc.paths["/admin/v1/dashboard"].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(["from", "to", "currency", "topProducts"]),
    );
    expect(doc.components.schemas.Dashboard).toBeDefined();
  });
});
