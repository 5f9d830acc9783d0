import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { staticHeaders } from "./index.ts";

function createTestApp() {
  const app = new Hono();
  const security = staticHeaders([
    ["X-Frame-Options", "DENY"],
    ["Cache-Control", "no-store"],
  ]);
  app.use(async (c, next) => {
    security(c);
    await next();
  });
  app.get("/", (c) => c.json({ ok: true }));
  app.get("/own", (c) => c.json({ ok: true }, 200, { "Cache-Control": "public, max-age=60" }));
  return app;
}

describe("static headers", () => {
  it("go through c.header where there is no Node response (app.request)", async () => {
    const res = await createTestApp().request("/");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("go onto Node's response on @hono/node-server, a handler's own value winning", async () => {
    const app = createTestApp();
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const plain = await fetch(`http://127.0.0.1:${port}/`);
      expect(plain.headers.get("x-frame-options")).toBe("DENY");
      expect(plain.headers.get("cache-control")).toBe("no-store");
      expect(await plain.json()).toEqual({ ok: true });
      const own = await fetch(`http://127.0.0.1:${port}/own`);
      expect(own.headers.get("cache-control")).toBe("public, max-age=60");
      expect(own.headers.get("x-frame-options")).toBe("DENY");
      await own.arrayBuffer();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
