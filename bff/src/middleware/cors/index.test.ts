import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { cors } from "./index.ts";

const ALLOWED = "https://shop.example.com";

function createTestApp(origins: readonly string[] | "*", credentials = true) {
  const app = new Hono();
  app.use(cors({ origins, credentials }));
  app.get("/cart", (c) => c.json({ items: [] }));
  return app;
}

describe("cors", () => {
  it("echoes an allowed origin with credentials", async () => {
    const res = await createTestApp([ALLOWED]).request("/cart", { headers: { Origin: ALLOWED } });
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("access-control-expose-headers")).toContain("RateLimit");
  });

  it("gives an origin not on the list no Access-Control-Allow-Origin", async () => {
    const res = await createTestApp([ALLOWED]).request("/cart", {
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers an allowed preflight with the methods and headers", async () => {
    const res = await createTestApp([ALLOWED]).request("/cart", {
      method: "OPTIONS",
      headers: {
        Origin: ALLOWED,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it("does not allow a preflight from an unknown origin", async () => {
    const res = await createTestApp([ALLOWED]).request("/cart", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "DELETE" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows any origin without credentials for public documents", async () => {
    const res = await createTestApp("*", true).request("/cart", {
      headers: { Origin: "https://anyone.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
