import type { UserPrincipal } from "@shopmesh/kit/auth";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../../../test/support/http.ts";
import { captureLogs } from "../../../test/support/logs.ts";
import { connectTestRedis, deadRedis, type TestRedis } from "../../../test/support/redis.ts";
import { createErrorHandler } from "../../errors/index.ts";
import { clientIp } from "../client-ip/index.ts";
import { addressKey, byClientIp, type RateLimitOptions, rateLimit } from "./index.ts";

let redisTest: TestRedis;
let limitCount = 0;

beforeAll(async () => {
  redisTest = await connectTestRedis();
});
afterAll(() => redisTest.cleanup());

function createTestApp(options: Partial<RateLimitOptions> = {}) {
  const { logger, lines } = captureLogs();
  const app = new Hono();
  app.onError(createErrorHandler({ logger }));
  app.use(clientIp({ trustProxy: 1 }));
  app.use(async (c, next) => {
    const user = c.req.header("x-test-user");
    const principal: UserPrincipal | undefined = user
      ? { kind: "user", userId: user, sessionId: "s", roles: ["customer"], permissions: new Set() }
      : undefined;
    c.set("principal", principal);
    await next();
  });
  // Each app counts under a limit name of its own, so tests never share counters.
  const name = `limit${++limitCount}`;
  app.use(
    rateLimit({
      redis: redisTest.redis,
      prefix: redisTest.prefix,
      name,
      limit: 3,
      windowMs: 60_000,
      logger,
      ...options,
    }),
  );
  app.get("/", (c) => c.text("ok"));
  return { app, lines, name };
}

const from = (ip: string, user?: string) => ({
  headers: { "X-Forwarded-For": ip, ...(user ? { "x-test-user": user } : {}) },
});

describe("rate-limit", () => {
  it("allows the limit, then answers 429 problem+json with Retry-After and RateLimit headers", async () => {
    const { app } = createTestApp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request("/", from("192.0.2.1"))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const res = await app.request("/", from("192.0.2.1"));
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers.get("ratelimit")).toMatch(/^limit=3, remaining=0, reset=\d+$/);
    expect(res.headers.get("ratelimit-policy")).toBe("3;w=60");
    expect(await json(res)).toMatchObject({ status: 429, code: "RATE_LIMITED" });
  });

  it("tells an allowed request how many remain", async () => {
    const { app } = createTestApp();
    const res = await app.request("/", from("192.0.2.2"));
    expect(res.headers.get("ratelimit")).toMatch(/^limit=3, remaining=2, reset=\d+$/);
  });

  it("counts each client address apart", async () => {
    const { app } = createTestApp();
    for (let i = 0; i < 3; i++) await app.request("/", from("192.0.2.3"));
    expect((await app.request("/", from("192.0.2.3"))).status).toBe(429);
    expect((await app.request("/", from("192.0.2.4"))).status).toBe(200);
  });

  it("counts signed-in users apart even behind one address", async () => {
    const { app } = createTestApp();
    for (let i = 0; i < 3; i++) await app.request("/", from("192.0.2.5", "alice"));
    expect((await app.request("/", from("192.0.2.5", "alice"))).status).toBe(429);
    expect((await app.request("/", from("192.0.2.5", "bob"))).status).toBe(200);
  });

  it("counts by address alone when told to, whoever is signed in", async () => {
    const { app } = createTestApp({ key: byClientIp });
    for (const user of ["u1", "u2", "u3"]) await app.request("/", from("192.0.2.6", user));
    expect((await app.request("/", from("192.0.2.6", "u4"))).status).toBe(429);
  });

  it("counts an IPv6 client per /64", async () => {
    const { app } = createTestApp();
    for (let i = 1; i <= 3; i++) await app.request("/", from(`2001:db8:1:2::${i}`));
    expect((await app.request("/", from("2001:db8:1:2:ffff::9"))).status).toBe(429);
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("stores counters in Redis under the prefix with an expiry of one window", async () => {
    const { app, name } = createTestApp();
    await app.request("/", from("192.0.2.7"));
    const key = `${redisTest.prefix}${name}:ip:192.0.2.7`;
    expect(await redisTest.redis.get(key)).toBe("1");
    const ttl = await redisTest.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("never lets more than the limit through under concurrent requests", async () => {
    const { app } = createTestApp({ limit: 10 });
    const results = await Promise.all(Array.from({ length: 30 }, () => app.request("/", from("192.0.2.8"))));
    expect(results.filter((res) => res.status === 200)).toHaveLength(10);
    expect(results.filter((res) => res.status === 429)).toHaveLength(20);
  });

  it("takes a busy client's hits from Redis in growing leases, never letting more than the limit through", async () => {
    const { app, name } = createTestApp({ limit: 400 });
    const key = `${redisTest.prefix}${name}:ip:192.0.2.11`;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await app.request("/", from("192.0.2.11"))).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Leases of 1, 2, 4, 8, 16 (a twentieth of 400 at most, 20): 31 hits taken for 30 requests.
    expect(await redisTest.redis.get(key)).toBe("31");

    const { app: strict } = createTestApp({ limit: 100 });
    const results = await Promise.all(
      Array.from({ length: 150 }, () => strict.request("/", from("192.0.2.12"))),
    );
    expect(results.filter((res) => res.status === 200)).toHaveLength(100);
    // Refused without asking Redis again: the window's count can only grow.
    expect((await strict.request("/", from("192.0.2.12"))).status).toBe(429);
  });

  it("fails open with a warning when Redis is down", async () => {
    const { app, lines } = createTestApp({ redis: deadRedis() });
    const res = await app.request("/", from("192.0.2.9"));
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit")).toBeNull();
    expect(
      lines.some(
        (line) => line.level === "warn" && line.msg === "rate limit store unavailable; not limiting",
      ),
    ).toBe(true);
  });

  it("fails closed with a 503 problem when told to (auth routes)", async () => {
    const { app } = createTestApp({ redis: deadRedis(), onStoreError: "closed" });
    const res = await app.request("/", from("192.0.2.10"));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await json(res)).code).toBe("UNAVAILABLE");
  });
});
