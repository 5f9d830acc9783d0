import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { json } from "../../../test/support/http.ts";
import { captureLogs } from "../../../test/support/logs.ts";
import { createErrorHandler } from "../../errors/index.ts";
import { bodyLimit } from "./index.ts";

function createTestApp(maxBytes: number) {
  const app = new Hono();
  app.onError(createErrorHandler({ logger: captureLogs().logger }));
  app.use(bodyLimit({ maxBytes }));
  app.post("/upload", async (c) => c.json({ received: (await c.req.text()).length }));
  return app;
}

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 16) controller.enqueue(bytes.slice(i, i + 16));
      controller.close();
    },
  });
}

describe("body-limit", () => {
  it("leaves exempt paths (streamed imports with their own limit) alone", async () => {
    const app = new Hono();
    app.onError(createErrorHandler({ logger: captureLogs().logger }));
    app.use(bodyLimit({ maxBytes: 10, exempt: ["/import"] }));
    app.post("/import", async (c) => c.json({ received: (await c.req.text()).length }));
    app.post("/upload", async (c) => c.json({ received: (await c.req.text()).length }));
    expect(await json(await app.request("/import", { method: "POST", body: "x".repeat(100) }))).toEqual({
      received: 100,
    });
    expect((await app.request("/upload", { method: "POST", body: "x".repeat(100) })).status).toBe(413);
  });

  it("lets a body within the limit through intact", async () => {
    const res = await createTestApp(100).request("/upload", { method: "POST", body: "x".repeat(100) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: 100 });
  });

  it("refuses a body over the limit by Content-Length with a 413 problem", async () => {
    const res = await createTestApp(100).request("/upload", { method: "POST", body: "x".repeat(101) });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      detail: "The request body is larger than 100 bytes.",
    });
  });

  it("refuses a chunked body once it grows past the limit", async () => {
    const res = await createTestApp(100).request("/upload", {
      method: "POST",
      body: chunked("y".repeat(500)),
      headers: { "Transfer-Encoding": "chunked" },
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});
