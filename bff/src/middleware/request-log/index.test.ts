import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { captureLogs } from "../../../test/support/logs.ts";
import { requestId } from "../request-id/index.ts";
import { traceContext } from "../trace-context/index.ts";
import { requestLog } from "./index.ts";

function createTestApp() {
  const { logger, lines } = captureLogs("info");
  const app = new Hono();
  app.use(requestId(), traceContext(), requestLog({ logger }));
  app.get("/items", (c) => {
    c.get("log").info("handling");
    return c.json([]);
  });
  app.get("/healthz", (c) => c.text("ok"));
  return { app, lines };
}

describe("request-log", () => {
  it("gives handlers a logger carrying the request and trace ids", async () => {
    const { app, lines } = createTestApp();
    const res = await app.request("/items", { headers: { "X-Request-Id": "req-9" } });
    const handling = lines.find((line) => line.msg === "handling");
    expect(handling).toMatchObject({ requestId: "req-9", service: "bff-test" });
    expect(handling?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.status).toBe(200);
  });

  it("writes one line per request with method, path, status and duration", async () => {
    const { app, lines } = createTestApp();
    await app.request("/items", { headers: { "X-Request-Id": "req-10" } });
    const done = lines.filter((line) => line.msg === "request");
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ method: "GET", path: "/items", status: 200, requestId: "req-10" });
    expect(typeof done[0]?.durationMs).toBe("number");
  });

  it("stays quiet about successful probes", async () => {
    const { app, lines } = createTestApp();
    await app.request("/healthz");
    expect(lines.filter((line) => line.msg === "request")).toHaveLength(0);
  });
});
