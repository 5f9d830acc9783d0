import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { compress } from "./index.ts";

const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `product ${i}` })) };

function app() {
  const hono = new Hono();
  hono.use(compress());
  hono.get("/big", (c) => c.json(big));
  hono.get("/small", (c) => c.json({ ok: true }));
  hono.get("/stream", (c) => c.body("data: x\n\n".repeat(500), 200, { "content-type": "text/event-stream" }));
  hono.get("/raw", (c) => c.json(big, 200, { "cache-control": "no-transform" }));
  return hono;
}

describe("compress", () => {
  it("gzips a large JSON answer for a client that accepts gzip", async () => {
    const res = await app().request("/big", { headers: { "accept-encoding": "gzip, deflate" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toContain("Accept-Encoding");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(JSON.parse(gunzipSync(bytes).toString())).toEqual(big);
  });

  it("prefers brotli when offered", async () => {
    const res = await app().request("/big", { headers: { "accept-encoding": "gzip, br" } });
    expect(res.headers.get("content-encoding")).toBe("br");
    expect(JSON.parse(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString())).toEqual(big);
  });

  it("leaves small answers, event streams, no-transform and clients without encodings alone", async () => {
    const small = await app().request("/small", { headers: { "accept-encoding": "gzip" } });
    expect(small.headers.get("content-encoding")).toBeNull();
    expect(await small.json()).toEqual({ ok: true });
    for (const path of ["/stream", "/raw"]) {
      const res = await app().request(path, { headers: { "accept-encoding": "gzip" } });
      expect(res.headers.get("content-encoding")).toBeNull();
    }
    const plain = await app().request("/big");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.json()).toEqual(big);
  });

  it("honours q=0", async () => {
    const res = await app().request("/big", { headers: { "accept-encoding": "gzip;q=0" } });
    expect(res.headers.get("content-encoding")).toBeNull();
  });
});
