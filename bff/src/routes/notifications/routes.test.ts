import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBff, type TestBff } from "../../../test/support/deps.ts";
import { type Json, json } from "../../../test/support/http.ts";
import { createApp } from "../../app.ts";

/**
 * What the notification routes decide on their own, before any service is called: who may call
 * them and what input they accept. The notification service and NATS are unreachable here, so
 * every assertion below also proves the request never left the BFF. With the real services:
 * test/e2e/notifications*.test.ts.
 */

let bff: TestBff;
let app: OpenAPIHono;
let customer: string;
let support: string;

beforeAll(async () => {
  bff = await createTestBff();
  app = createApp(bff.deps);
  customer = await bff.keys.sign({ userId: "0193a0c4-0000-7000-8000-000000000001" });
  support = await bff.keys.sign({ userId: "0193a0c4-0000-7000-8000-000000000002", roles: ["support"] });
});

afterAll(async () => {
  await bff?.deps.notificationFeed.close();
  await bff?.cleanup();
});

function send(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return app.request(path, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

describe("notification routes", () => {
  it("need a signed-in user on web and mobile", async () => {
    for (const path of [
      "/api/v1/notifications",
      "/mobile/v1/notifications",
      "/api/v1/notifications/stream",
      "/api/v1/me/notification-preferences",
    ]) {
      expect((await send(path)).status, path).toBe(401);
    }
  });

  it("check their input", async () => {
    const badPage = await send("/api/v1/notifications?pageSize=1000", { token: customer });
    expect(badPage.status).toBe(400);
    const badId = await send("/api/v1/notifications/42/read", { method: "POST", token: customer });
    expect(badId.status).toBe(400);
    const badSettings: Json = await json(
      await send("/api/v1/me/notification-preferences", {
        method: "PUT",
        token: customer,
        body: { settings: [{ category: "orders", channel: "fax", enabled: true }] },
      }),
    );
    expect(badSettings.status).toBe(400);
    expect(badSettings.errors.map((e: Json) => e.field)).toEqual(["settings[0].channel"]);
  });

  it("answer 503 for a live stream when NATS cannot be reached", async () => {
    const res = await send("/api/v1/notifications/stream", { token: customer });
    expect(res.status).toBe(503);
    expect((await json(res)).code).toBe("UNAVAILABLE");
  });

  it("keep deliveries to admins with notifications.admin", async () => {
    expect((await send("/admin/v1/notification-deliveries", { token: customer })).status).toBe(403);
    const staff = await send("/admin/v1/notification-deliveries", { token: support });
    expect(staff.status).toBe(403);
    expect((await json(staff)).detail).toContain("notifications.admin");
  });

  it("are documented in the OpenAPI description", async () => {
    const doc: Json = await json(await send("/openapi.json"));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/notifications",
        "/api/v1/notifications/{id}/read",
        "/api/v1/notifications/stream",
        "/api/v1/me/notification-preferences",
        "/mobile/v1/notifications/stream",
        "/admin/v1/notification-deliveries",
        "/admin/v1/notification-deliveries/{id}/redrive",
      ]),
    );
    expect(Object.keys(doc.paths["/api/v1/notifications/stream"].get.responses[200].content)).toEqual([
      "text/event-stream",
    ]);
  });
});
