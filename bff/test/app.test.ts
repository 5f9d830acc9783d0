import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createRoute, z } from "@hono/zod-openapi";
import { Code, RpcError } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppOptions, createApp } from "../src/app.ts";
import { callContext } from "../src/call-context.ts";
import type { BffDeps } from "../src/deps.ts";
import { problemResponses } from "../src/errors/index.ts";
import { currentUser, requireUser } from "../src/middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar, type SurfaceRoutes } from "../src/routes/index.ts";
import { createTestBff, type TestBff } from "./support/deps.ts";
import { json } from "./support/http.ts";

const ORIGIN = "https://shop.example.com";

/** Routes registered the way the real ones are: createRoute + app.openapi, per surface. */
const registerTestRoutes: RouteRegistrar = (app) => {
  app.openapi(
    createRoute({
      method: "get",
      path: "/ping",
      tags: ["test"],
      responses: {
        200: {
          description: "pong",
          content: { "application/json": { schema: z.object({ pong: z.boolean() }) } },
        },
      },
    }),
    (c) => c.json({ pong: true }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/login",
      tags: ["test"],
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ email: z.email(), password: z.string().min(8) }).openapi("Login"),
            },
          },
        },
      },
      responses: {
        200: {
          description: "ok",
          content: { "application/json": { schema: z.object({ ok: z.boolean() }) } },
        },
        ...problemResponses(400, 401, 429),
      },
    }),
    (c) => c.json({ ok: true }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/me",
      security: bearerSecurity,
      middleware: [requireUser()] as const,
      responses: {
        200: {
          description: "me",
          content: { "application/json": { schema: z.object({ userId: z.string() }) } },
        },
      },
    }),
    (c) => c.json({ userId: currentUser(c).userId }, 200),
  );
  app.get("/call-context", (c) => c.json(callContext(c)));
  app.get("/orders/:id", () => {
    throw new RpcError("order not found", Code.NotFound);
  });
};

const routes: SurfaceRoutes = {
  web: [registerTestRoutes],
  mobile: [registerTestRoutes],
  admin: [registerTestRoutes],
};

let bff: TestBff;
let app: ReturnType<typeof createApp>;
let ipCounter = 0;

/** A fresh client address per call, so rate limits of one test never touch another. */
function client(headers: Record<string, string> = {}): Record<string, string> {
  ipCounter += 1;
  return { "X-Forwarded-For": `198.51.100.${ipCounter}`, ...headers };
}

function build(overrides: Partial<BffDeps> = {}, options: AppOptions = {}) {
  return createApp({ ...bff.deps, ...overrides }, { routes, ...options });
}

beforeAll(async () => {
  bff = await createTestBff({
    TRUST_PROXY: "1",
    CORS_ORIGINS: ORIGIN,
    RATE_LIMIT_LIMIT: "8",
    RATE_LIMIT_AUTH_LIMIT: "3",
    BODY_LIMIT_BYTES: "2048",
  });
  app = build({ readiness: { redis: async () => (await bff.deps.redis.ping()) === "PONG" } });
});

afterAll(() => bff.cleanup());

describe("platform endpoints", () => {
  it("/healthz answers 200", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 when every check passes", async () => {
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ready", checks: { redis: "ok" } });
  });

  it("/readyz answers 503 problem+json naming the failing checks", async () => {
    const notReady = build(
      {
        readiness: {
          redis: async () => true,
          identity: async () => false,
          catalog: async () => {
            throw new Error("connection refused");
          },
          slow: () => new Promise((resolve) => setTimeout(() => resolve(true), 2_000)),
        },
      },
      { readinessTimeoutMs: 100 },
    );
    const res = await notReady.request("/readyz");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await json(res);
    expect(body).toMatchObject({
      code: "NOT_READY",
      checks: { redis: "ok", identity: "failing", catalog: "failing", slow: "timeout" },
    });
    expect(body.detail).toBe("Not ready: identity, catalog, slow.");
  });

  it("/.well-known/jwks.json publishes the public keys to any origin", async () => {
    const res = await app.request("/.well-known/jwks.json", { headers: { Origin: "https://other.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const { keys } = await json(res);
    expect(keys).toEqual(bff.keys.jwks);
    expect(keys[0].d).toBeUndefined();
  });

  it("/.well-known/jwks.json is a 503 problem when identity is down", async () => {
    const down = build({
      jwks: async () => {
        throw new RpcError("unreachable", Code.Unavailable);
      },
    });
    const res = await down.request("/.well-known/jwks.json");
    expect(res.status).toBe(503);
    expect((await json(res)).code).toBe("UNAVAILABLE");
  });

  it("/openapi.json is OpenAPI 3.1 generated from the route schemas, with bearer security", async () => {
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/ping",
        "/api/v1/auth/login",
        "/mobile/v1/ping",
        "/admin/v1/me",
        "/healthz",
        "/.well-known/jwks.json",
      ]),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/api/v1/me"].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas.Login.required).toEqual(["email", "password"]);
    const problem = doc.paths["/api/v1/auth/login"].post.responses["400"].content["application/problem+json"];
    expect(problem.schema.$ref).toBe("#/components/schemas/Problem");
  });

  it("/docs serves the API reference reading /openapi.json, with its script allowed by nonce", async () => {
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain("/openapi.json");
    expect(html).toContain(`nonce="${nonce}"`);
  });

  it("/metrics exposes request durations by route pattern", async () => {
    await app.request("/api/v1/ping", { headers: client() });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/ping",status="200"\} [1-9]/,
    );
  });
});

describe("every response", () => {
  it("carries the request id and security headers, errors included", async () => {
    for (const path of ["/api/v1/ping", "/api/v1/nowhere"]) {
      const res = await app.request(path, { headers: client({ "X-Request-Id": "abc-123" }) });
      expect(res.headers.get("x-request-id")).toBe("abc-123");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
  });

  it("answers an unknown route with a 404 problem naming the path", async () => {
    const res = await app.request("/api/v1/nowhere", { headers: client({ "X-Request-Id": "r-404" }) });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
      instance: "/api/v1/nowhere",
      requestId: "r-404",
    });
  });

  it("answers a wrong method with a 405 problem and Allow", async () => {
    const res = await app.request("/api/v1/ping", { method: "DELETE", headers: client() });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect((await json(res)).code).toBe("METHOD_NOT_ALLOWED");
  });

  it("maps a service error to its HTTP status as problem+json", async () => {
    const res = await app.request("/api/v1/orders/42", { headers: client() });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ detail: "order not found", instance: "/api/v1/orders/42" });
  });

  it("compresses large responses when the client accepts gzip", async () => {
    const res = await app.request("/openapi.json", { headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
  });
});

describe("request bodies", () => {
  const login = (body: string, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
    app.request("/api/v1/auth/login", { method: "POST", body, headers: client(headers) });

  it("accepts a valid body", async () => {
    const res = await login(JSON.stringify({ email: "ada@example.com", password: "correct horse" }));
    expect(res.status).toBe(200);
  });

  it("answers a schema failure with 400 naming each field", async () => {
    const res = await login(JSON.stringify({ email: "ada", password: "short" }));
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["email", "password"]);
  });

  it("answers malformed JSON with 400", async () => {
    const res = await login("{not json");
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe("MALFORMED_JSON");
  });

  it("answers a non-JSON body with 415", async () => {
    const res = await login("email=ada", { "Content-Type": "text/plain" });
    expect(res.status).toBe(415);
  });

  it("answers a body over BODY_LIMIT_BYTES with 413", async () => {
    const res = await login(JSON.stringify({ email: "ada@example.com", password: "x".repeat(4096) }));
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("surfaces", () => {
  it("lets allowed browser origins use the web surface with credentials", async () => {
    const res = await app.request("/api/v1/ping", { headers: client({ Origin: ORIGIN }) });
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("gives CORS headers to error responses so browser code can read them", async () => {
    const res = await app.request("/api/v1/me", { headers: client({ Origin: ORIGIN }) });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });

  it("does not allow other origins", async () => {
    const res = await app.request("/api/v1/ping", { headers: client({ Origin: "https://evil.example" }) });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers on the mobile surface", async () => {
    const res = await app.request("/mobile/v1/ping", { headers: client({ Origin: ORIGIN }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves signed-in users their own routes", async () => {
    const token = await bff.keys.sign({ userId: "u-42" });
    const res = await app.request("/mobile/v1/me", { headers: client({ Authorization: `Bearer ${token}` }) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ userId: "u-42" });
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("refuses the admin surface without a token (401), to customers (403), and lets staff in", async () => {
    expect((await app.request("/admin/v1/ping", { headers: client() })).status).toBe(401);
    const customer = await bff.keys.sign({ userId: "u-1", roles: ["customer"] });
    const customerRes = await app.request("/admin/v1/ping", {
      headers: client({ Authorization: `Bearer ${customer}` }),
    });
    expect(customerRes.status).toBe(403);
    const support = await bff.keys.sign({ userId: "u-2", roles: ["support"] });
    expect(
      (await app.request("/admin/v1/ping", { headers: client({ Authorization: `Bearer ${support}` }) }))
        .status,
    ).toBe(200);
  });

  it("hides which admin paths exist from non-staff", async () => {
    expect((await app.request("/admin/v1/users/secret", { headers: client() })).status).toBe(401);
  });

  it("hands routes the call context to forward to services", async () => {
    const token = await bff.keys.sign({ userId: "u-7" });
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await app.request("/api/v1/call-context", {
      headers: {
        Authorization: `Bearer ${token}`,
        "X-Request-Id": "ctx-1",
        "X-Forwarded-For": "203.0.113.50",
        "User-Agent": "shopmesh-test",
        traceparent,
      },
    });
    const call = await json(res);
    expect(call).toMatchObject({
      requestId: "ctx-1",
      authorization: `Bearer ${token}`,
      clientIp: "203.0.113.50",
      userAgent: "shopmesh-test",
    });
    expect(call.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(call.traceparent).not.toBe(traceparent);
  });
});

describe("rate limits", () => {
  it("limits every surface per client, with RateLimit headers", async () => {
    const headers = client();
    for (let i = 0; i < 8; i++) expect((await app.request("/mobile/v1/ping", { headers })).status).toBe(200);
    const res = await app.request("/mobile/v1/ping", { headers });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(res.headers.get("ratelimit-policy")).toBe("8;w=60");
  });

  it("limits auth routes more strictly than the rest of the surface", async () => {
    const headers = client({ "Content-Type": "application/json" });
    const body = JSON.stringify({ email: "ada@example.com", password: "wrong password" });
    for (let i = 0; i < 3; i++) {
      expect((await app.request("/api/v1/auth/login", { method: "POST", body, headers })).status).toBe(200);
    }
    const limited = await app.request("/api/v1/auth/login", { method: "POST", body, headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("ratelimit-policy")).toBe("3;w=60");
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("cache-control")).toBe("no-store");
    expect((await json(limited)).code).toBe("RATE_LIMITED");
    expect((await app.request("/api/v1/ping", { headers })).status).toBe(200);
  });
});

describe("over HTTP", () => {
  it("serves with @hono/node-server and knows the client by its socket address", async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/call-context`, {
        headers: { "X-Request-Id": "http-1" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBe("http-1");
      expect(await json(res)).toMatchObject({ requestId: "http-1", clientIp: "127.0.0.1" });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
