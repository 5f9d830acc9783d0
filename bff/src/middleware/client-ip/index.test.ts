import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientIp } from "./index.ts";

function createTestApp(trustProxy: number) {
  const app = new Hono();
  app.use(clientIp({ trustProxy }));
  app.get("/", (c) => c.text(c.get("clientIp")));
  return app;
}

/** What @hono/node-server passes as env: the Node request with its socket. */
function socketEnv(remoteAddress: string) {
  return { incoming: { socket: { remoteAddress, remotePort: 50000, remoteFamily: "IPv6" } } };
}

async function ipOf(trustProxy: number, headers: Record<string, string>, remoteAddress?: string) {
  const app = createTestApp(trustProxy);
  const res = await app.request("/", { headers }, remoteAddress ? socketEnv(remoteAddress) : undefined);
  return res.text();
}

describe("client-ip", () => {
  it("uses the socket address, unwrapping IPv4-mapped IPv6", async () => {
    expect(await ipOf(0, {}, "::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(await ipOf(0, {}, "2001:db8::1")).toBe("2001:db8::1");
  });

  it("ignores X-Forwarded-For unless proxies are trusted", async () => {
    expect(await ipOf(0, { "X-Forwarded-For": "198.51.100.1" }, "10.0.0.2")).toBe("10.0.0.2");
  });

  it("takes the entry the trusted proxy appended, not a spoofed one in front", async () => {
    const headers = { "X-Forwarded-For": "1.1.1.1, 198.51.100.1" };
    expect(await ipOf(1, headers, "10.0.0.2")).toBe("198.51.100.1");
  });

  it("counts back one entry per trusted proxy", async () => {
    const headers = { "X-Forwarded-For": "1.1.1.1, 198.51.100.1, 10.0.0.5" };
    expect(await ipOf(2, headers, "10.0.0.2")).toBe("198.51.100.1");
  });

  it("falls back to the socket when the forwarded entry is not an address", async () => {
    expect(await ipOf(1, { "X-Forwarded-For": "unknown" }, "10.0.0.2")).toBe("10.0.0.2");
  });

  it("says unknown when there is neither a socket nor a trusted header", async () => {
    expect(await ipOf(0, {})).toBe("unknown");
  });
});
