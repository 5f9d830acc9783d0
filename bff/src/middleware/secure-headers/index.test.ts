import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { secureHeaders } from "./index.ts";

function createTestApp() {
  const app = new Hono();
  app.use(secureHeaders());
  app.get("/api/v1/products", (c) => c.json([]));
  app.get("/api/v1/cached", (c) => c.json([], 200, { "Cache-Control": "public, max-age=30" }));
  app.post("/api/v1/auth/login", (c) => c.json({ accessToken: "t" }));
  app.get("/docs", (c) => c.html(`<script nonce="${c.get("secureHeadersNonce")}"></script>`));
  return app;
}

describe("secure-headers", () => {
  it("sends the API's security headers with a CSP that allows nothing", async () => {
    const res = await createTestApp().request("/api/v1/products");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBeNull();
  });

  it("lets the docs page run its CDN script by nonce", async () => {
    const res = await createTestApp().request("/docs");
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("https://cdn.jsdelivr.net");
    expect(await res.text()).toContain(`nonce="${nonce}"`);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("forbids caching of auth responses", async () => {
    const res = await createTestApp().request("/api/v1/auth/login", { method: "POST" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("forbids shared caching of answers to authenticated requests unless the route chose otherwise", async () => {
    const app = createTestApp();
    const headers = { Authorization: "Bearer x" };
    expect((await app.request("/api/v1/products", { headers })).headers.get("cache-control")).toBe(
      "private, no-store",
    );
    expect((await app.request("/api/v1/cached", { headers })).headers.get("cache-control")).toBe(
      "public, max-age=30",
    );
  });
});
