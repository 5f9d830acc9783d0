import { createTokenVerifier, type Permission } from "@shopmesh/kit/auth";
import { Code, RpcError } from "@shopmesh/kit/rpc";
import { Hono, type MiddlewareHandler } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../../../test/support/http.ts";
import { captureLogs } from "../../../test/support/logs.ts";
import { createTestKeys, type TestKeys } from "../../../test/support/tokens.ts";
import { createErrorHandler } from "../../errors/index.ts";
import { authenticate, currentUser, requirePermission, requireStaff, requireUser } from "./index.ts";

let keys: TestKeys;
let otherKeys: TestKeys;

beforeAll(async () => {
  keys = await createTestKeys("key-a");
  otherKeys = await createTestKeys("key-b");
});

function createTestApp(verifier = keys.verifier) {
  const app = new Hono();
  app.onError(createErrorHandler({ logger: captureLogs().logger }));
  app.use(authenticate({ verifier }));
  app.get("/public", (c) => c.json({ principal: c.get("principal") ?? null }));
  app.get("/me", requireUser(), (c) => {
    const user = currentUser(c);
    return c.json({ userId: user.userId, sessionId: user.sessionId, roles: user.roles });
  });
  const guarded = (path: string, guard: MiddlewareHandler) => app.get(path, guard, (c) => c.text("in"));
  guarded("/staff", requireStaff());
  guarded("/catalog", requirePermission("catalog.write" satisfies Permission));
  return app;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe("authenticate", () => {
  it("lets anonymous requests through without a principal", async () => {
    const res = await createTestApp().request("/public");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ principal: null });
  });

  it("verifies a signed access token and exposes the user", async () => {
    const token = await keys.sign({ userId: "u-1", sessionId: "s-1", roles: ["customer"] });
    const res = await createTestApp().request("/me", { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ userId: "u-1", sessionId: "s-1", roles: ["customer"] });
  });

  it("refuses an expired token with 401 TOKEN_INVALID, even on a public route", async () => {
    const token = await keys.sign({ userId: "u-1", expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const res = await createTestApp().request("/public", { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="shopmesh", error="invalid_token"');
    expect((await json(res)).code).toBe("TOKEN_INVALID");
  });

  it("refuses a token signed by a key it does not trust", async () => {
    const token = await otherKeys.sign({ userId: "u-1" });
    const res = await createTestApp().request("/me", { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe("TOKEN_INVALID");
  });

  it("refuses a token whose payload was altered", async () => {
    const token = await keys.sign({ userId: "u-1", roles: ["customer"] });
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "u-1", roles: ["admin"] })).toString("base64url");
    const res = await createTestApp().request("/staff", {
      headers: bearer(`${header}.${forged}.${signature}`),
    });
    expect(res.status).toBe(401);
  });

  it("refuses an Authorization header that is not a Bearer token", async () => {
    const res = await createTestApp().request("/public", {
      headers: { Authorization: "Basic dXNlcjpwYXNz" },
    });
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe("TOKEN_INVALID");
  });

  it("answers 503, not 401, when the signing keys cannot be fetched", async () => {
    const verifier = createTokenVerifier({
      keys: async () => {
        throw new RpcError("identity unreachable", Code.Unavailable);
      },
    });
    const token = await keys.sign({ userId: "u-1" });
    const res = await createTestApp(verifier).request("/public", { headers: bearer(token) });
    expect(res.status).toBe(503);
  });
});

describe("requireUser, requireStaff, requirePermission", () => {
  it("asks anonymous callers to sign in with a 401", async () => {
    const res = await createTestApp().request("/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="shopmesh"');
    expect((await json(res)).code).toBe("AUTHENTICATION_REQUIRED");
  });

  it("keeps customers out of staff routes with a 403", async () => {
    const token = await keys.sign({ userId: "u-1", roles: ["customer"] });
    const res = await createTestApp().request("/staff", { headers: bearer(token) });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe("PERMISSION_DENIED");
  });

  it("lets support and admin into staff routes", async () => {
    for (const role of ["support", "admin"] as const) {
      const token = await keys.sign({ userId: "u-2", roles: [role] });
      expect((await createTestApp().request("/staff", { headers: bearer(token) })).status).toBe(200);
    }
  });

  it("checks the permission the roles grant", async () => {
    const support = await keys.sign({ userId: "u-3", roles: ["support"] });
    const admin = await keys.sign({ userId: "u-4", roles: ["admin"] });
    const app = createTestApp();
    const refused = await app.request("/catalog", { headers: bearer(support) });
    expect(refused.status).toBe(403);
    expect((await json(refused)).detail).toContain("catalog.write");
    expect((await app.request("/catalog", { headers: bearer(admin) })).status).toBe(200);
  });
});
