import { Registry } from "@shopmesh/kit/metrics";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { httpMetrics, metricsHandler } from "./index.ts";

function createTestApp() {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({ registry }));
  app.get("/items/:id", (c) => c.json({ id: c.req.param("id") }));
  app.post("/items", (c) => c.json({}, 201));
  app.get("/metrics", metricsHandler(registry));
  return app;
}

describe("metrics", () => {
  it("observes requests by method, route pattern and status", async () => {
    const app = createTestApp();
    await app.request("/items/1");
    await app.request("/items/2");
    await app.request("/items", { method: "POST" });
    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/items/:id",status="200"} 2',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/items",status="201"} 1',
    );
  });

  it("labels unknown paths as unmatched instead of by path", async () => {
    const app = createTestApp();
    await app.request("/wp-admin/setup.php");
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain("wp-admin");
  });

  it("shares one histogram when two apps use the same registry", () => {
    const registry = new Registry();
    httpMetrics({ registry });
    expect(() => httpMetrics({ registry })).not.toThrow();
  });
});
