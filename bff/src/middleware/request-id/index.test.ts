import { isUuid } from "@shopmesh/kit/ids";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { json } from "../../../test/support/http.ts";
import { requestId } from "./index.ts";

function createTestApp() {
  const app = new Hono();
  app.use(requestId());
  app.get("/", (c) => c.json({ requestId: c.get("requestId") }));
  app.get("/fail", () => {
    throw new Error("boom");
  });
  app.onError((_, c) => c.text("failed", 500));
  return app;
}

describe("request-id", () => {
  it("makes a UUID when the client sent none, and echoes it", async () => {
    const res = await createTestApp().request("/");
    const { requestId: id } = await json(res);
    expect(isUuid(id)).toBe(true);
    expect(id).not.toBe(await json(await createTestApp().request("/")).then((b) => b.requestId));
    expect(res.headers.get("x-request-id")).toBe(id);
  });

  it("keeps a sane incoming id", async () => {
    const res = await createTestApp().request("/", { headers: { "X-Request-Id": "edge-7f3a:42" } });
    expect((await json(res)).requestId).toBe("edge-7f3a:42");
    expect(res.headers.get("x-request-id")).toBe("edge-7f3a:42");
  });

  it("replaces an incoming id with odd characters or too long", async () => {
    for (const bad of ["a b", "x".repeat(129), "<script>", 'quote"d']) {
      const res = await createTestApp().request("/", { headers: { "X-Request-Id": bad } });
      const { requestId: id } = await json(res);
      expect(id).not.toBe(bad);
      expect(isUuid(id)).toBe(true);
    }
  });

  it("echoes the id on error responses too", async () => {
    const res = await createTestApp().request("/fail", { headers: { "X-Request-Id": "r-1" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("r-1");
  });
});
