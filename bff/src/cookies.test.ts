import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { describe, expect, it } from "vitest";
import { refreshCookie } from "./cookies.ts";

function setRefreshCookie(config: { COOKIE_SECURE: boolean; REFRESH_COOKIE_NAME: string }) {
  const app = new Hono();
  app.post("/api/v1/auth/login", (c) => {
    const { name, options } = refreshCookie(config, 3600);
    setCookie(c, name, "opaque-token", options);
    return c.body(null, 204);
  });
  return app.request("/api/v1/auth/login", { method: "POST" });
}

describe("refreshCookie", () => {
  it("makes a __Host- cookie HttpOnly, Secure, SameSite=Strict with Path=/", async () => {
    const res = await setRefreshCookie({ COOKIE_SECURE: true, REFRESH_COOKIE_NAME: "__Host-shopmesh_rt" });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-shopmesh_rt=opaque-token;/);
    for (const part of ["Max-Age=3600", "Path=/;", "HttpOnly", "Secure", "SameSite=Strict"]) {
      expect(cookie).toContain(part);
    }
    expect(cookie).not.toContain("Domain");
  });

  it("scopes an unprefixed cookie to the auth routes", async () => {
    const res = await setRefreshCookie({ COOKIE_SECURE: false, REFRESH_COOKIE_NAME: "shopmesh_rt" });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain("Path=/api/v1/auth");
    expect(cookie).not.toContain("Secure");
  });
});
