import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let admin: string;

async function login(email: string, password: string): Promise<string> {
  const res = await platform.request("/api/v1/auth/login", { method: "POST", json: { email, password } });
  return (await json(res)).accessToken;
}

function product(slug: string, sku: string, price: number, extra: Json = {}) {
  return {
    slug,
    name: `Import ${slug}`,
    state: "active",
    variants: [{ sku, price: { amountMinor: price, currency: "EUR" }, weightGrams: 300 }],
    ...extra,
  };
}

async function exportAll(): Promise<Json[]> {
  const res = await platform.request("/admin/v1/products/export", { token: admin });
  expect(res.status).toBe(200);
  return (await res.text())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

function importNdjson(
  body: string | ReadableStream<Uint8Array>,
  contentType = "application/x-ndjson",
): Promise<Response> {
  return platform.request("/admin/v1/products/import", {
    method: "POST",
    token: admin,
    headers: { "content-type": contentType },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit & { token: string });
}

beforeAll(async () => {
  platform = await startPlatform({ shop: true });
  admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  for (const [slug, sku, price] of [
    ["import-red", "IMP-RED", 2500],
    ["import-blue", "IMP-BLUE", 3500],
  ] as const) {
    const res = await platform.request("/admin/v1/products", {
      method: "POST",
      token: admin,
      json: product(slug, sku, price),
    });
    expect(res.status).toBe(201);
  }
}, 90_000);

afterAll(async () => {
  await platform?.stop();
});

describe("POST /admin/v1/products/import", () => {
  it("round-trips an export: every line updates its product and changes nothing", async () => {
    const before = await exportAll();
    expect(before).toHaveLength(2);
    const res = await importNdjson(`${before.map((p) => JSON.stringify(p)).join("\n")}\n`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ created: 0, updated: 2, failed: 0, errors: [] });
    expect(await exportAll()).toEqual(before);
  });

  it("applies good lines and reports bad ones with their line numbers, from a streamed body", async () => {
    const [red] = await exportAll();
    const lines = [
      JSON.stringify({ ...red, name: "Import Red Renamed" }),
      "{not json",
      "",
      JSON.stringify(product("import-green", "IMP-GREEN", 1500)),
      JSON.stringify(product("import-bad-price", "IMP-BAD", -1)),
      JSON.stringify(product("import-dup", "IMP-BLUE", 900)),
      JSON.stringify({ slug: "import-shape", variants: "many" }),
    ];
    const text = `${lines.join("\r\n")}\n`;
    // Chunks that cut lines (and a multi-byte character) in the middle.
    const bytes = new TextEncoder().encode(text.replace("Renamed", "Renamed é"));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 7) controller.enqueue(bytes.subarray(at, at + 7));
        controller.close();
      },
    });
    const res = await importNdjson(body);
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer).toMatchObject({ created: 1, updated: 1, failed: 4 });
    expect(answer.errors.map((e: Json) => [e.line, e.fields])).toEqual([
      [2, []],
      [5, ["variants[0].price.amountMinor"]],
      [6, ["variants[0].sku"]],
      [7, ["variants"]],
    ]);
    expect(answer.errors[0].message).toContain("not valid JSON");
    expect(answer.errors[2].message).toContain("IMP-BLUE");

    const after = await exportAll();
    expect(after.map((p) => p.slug).sort()).toEqual(["import-blue", "import-green", "import-red"]);
    const renamed = after.find((p) => p.slug === "import-red");
    expect(renamed).toMatchObject({ id: red.id, name: "Import Red Renamed é", version: red.version + 1 });
    const blue = after.find((p) => p.slug === "import-blue");
    expect(blue.variants.map((v: Json) => v.sku)).toEqual(["IMP-BLUE"]);
  });

  it("refuses a body that is not NDJSON with 415", async () => {
    const res = await importNdjson("{}", "application/json");
    expect(res.status).toBe(415);
  });

  it("needs catalog.write", async () => {
    const res = await platform.request("/admin/v1/products/import", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: "{}\n",
    });
    expect(res.status).toBe(401);
  });
});
