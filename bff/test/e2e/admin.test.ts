import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, json } from "../support/http.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
let adminToken: string;
beforeAll(async () => {
  platform = await startPlatform();
  const res = await platform.request("/api/v1/auth/login", {
    method: "POST",
    json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  expect(res.status).toBe(200);
  adminToken = (await json(res)).accessToken;
});
afterAll(async () => {
  await platform?.stop();
});

let counter = 0;
const PASSWORD = "a-long-enough-password";

async function customer(name = "Customer"): Promise<{ token: string; user: Json; email: string }> {
  const email = `adm${Date.now().toString(36)}${counter++}@e2e.test`;
  await platform.request("/api/v1/auth/register", {
    method: "POST",
    json: { email, password: PASSWORD, displayName: name },
  });
  const res = await platform.request("/api/v1/auth/login", {
    method: "POST",
    json: { email, password: PASSWORD },
  });
  const body = await json(res);
  return { token: body.accessToken, user: body.user, email };
}

describe("admin surface", () => {
  it("is closed to customers and anonymous callers", async () => {
    const { token } = await customer();
    const res = await platform.request("/admin/v1/users", { token });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await platform.request("/admin/v1/users")).status).toBe(401);
  });

  it("lists, searches and pages users", async () => {
    const tag = `Zed${Date.now().toString(36)}`;
    for (let i = 0; i < 3; i++) await customer(`${tag} ${i}`);
    const search = await json(await platform.request(`/admin/v1/users?query=${tag}`, { token: adminToken }));
    expect(search.users).toHaveLength(3);

    const page1 = await json(
      await platform.request(`/admin/v1/users?query=${tag}&pageSize=2`, { token: adminToken }),
    );
    expect(page1.users).toHaveLength(2);
    expect(page1.nextPageToken).toBeTruthy();
    const page2 = await json(
      await platform.request(`/admin/v1/users?query=${tag}&pageSize=2&pageToken=${page1.nextPageToken}`, {
        token: adminToken,
      }),
    );
    expect(page2.users).toHaveLength(1);
    const ids = new Set([...page1.users, ...page2.users].map((u: Json) => u.id));
    expect(ids.size).toBe(3);

    const admins = await json(await platform.request("/admin/v1/users?role=admin", { token: adminToken }));
    expect(admins.users.map((u: Json) => u.email)).toContain(ADMIN_EMAIL);
    const badSize = await platform.request("/admin/v1/users?pageSize=0", { token: adminToken });
    expect(badSize.status).toBe(400);
  });

  it("gets a user, sets roles, locks and unlocks", async () => {
    const { user, email } = await customer();
    const got = await platform.request(`/admin/v1/users/${user.id}`, { token: adminToken });
    expect(got.status).toBe(200);
    expect((await json(got)).email).toBe(email);
    expect(
      (await platform.request("/admin/v1/users/0193aaaa-0000-7000-8000-000000000000", { token: adminToken }))
        .status,
    ).toBe(404);

    const roles = await platform.request(`/admin/v1/users/${user.id}/roles`, {
      method: "PUT",
      token: adminToken,
      json: { roles: ["customer", "support"] },
    });
    expect(roles.status).toBe(200);
    expect((await json(roles)).roles).toEqual(["customer", "support"]);
    const badRole = await platform.request(`/admin/v1/users/${user.id}/roles`, {
      method: "PUT",
      token: adminToken,
      json: { roles: ["owner"] },
    });
    expect(badRole.status).toBe(400);

    const lock = await platform.request(`/admin/v1/users/${user.id}/lock`, {
      method: "POST",
      token: adminToken,
      json: { reason: "chargeback fraud" },
    });
    expect(lock.status).toBe(200);
    expect(await json(lock)).toMatchObject({ locked: true, lockedReason: "chargeback fraud" });
    const denied = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(denied.status).toBe(403);

    const unlock = await platform.request(`/admin/v1/users/${user.id}/unlock`, {
      method: "POST",
      token: adminToken,
    });
    expect((await json(unlock)).locked).toBe(false);
    const allowed = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(allowed.status).toBe(200);
  });

  it("lists and revokes a user's sessions", async () => {
    const { user } = await customer();
    const sessions = await json(
      await platform.request(`/admin/v1/users/${user.id}/sessions`, { token: adminToken }),
    );
    expect(sessions.sessions).toHaveLength(1);
    const revoked = await platform.request(`/admin/v1/users/${user.id}/sessions`, {
      method: "DELETE",
      token: adminToken,
    });
    expect(await json(revoked)).toEqual({ revokedCount: 1 });
    const after = await json(
      await platform.request(`/admin/v1/users/${user.id}/sessions`, { token: adminToken }),
    );
    expect(after.sessions).toHaveLength(0);
  });

  it("lets support read users but not change roles", async () => {
    const helper = await customer("Support Person");
    await platform.request(`/admin/v1/users/${helper.user.id}/roles`, {
      method: "PUT",
      token: adminToken,
      json: { roles: ["support"] },
    });
    const login = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email: helper.email, password: PASSWORD },
    });
    const supportToken = (await json(login)).accessToken;
    expect((await platform.request("/admin/v1/users", { token: supportToken })).status).toBe(200);
    const change = await platform.request(`/admin/v1/users/${helper.user.id}/roles`, {
      method: "PUT",
      token: supportToken,
      json: { roles: ["admin"] },
    });
    expect(change.status).toBe(403);
  });

  it("rotates the signing key without signing anyone out", async () => {
    const { token } = await customer();
    const before = await json(await platform.request("/.well-known/jwks.json"));
    const rotated = await platform.request("/admin/v1/keys/rotate", { method: "POST", token: adminToken });
    expect(rotated.status).toBe(200);
    const { kid } = await json(rotated);
    const after = await json(await platform.request("/.well-known/jwks.json"));
    expect(after.keys.map((k: Json) => k.kid)).toEqual(
      expect.arrayContaining([...before.keys.map((k: Json) => k.kid), kid]),
    );
    // a token signed with the old key still works
    expect((await platform.request("/api/v1/me", { token })).status).toBe(200);
    // and a new login is signed with the new key
    const fresh = await customer();
    const header = JSON.parse(Buffer.from(fresh.token.split(".")[0] ?? "", "base64url").toString());
    expect(header.kid).toBe(kid);
    expect((await platform.request("/api/v1/me", { token: fresh.token })).status).toBe(200);
  });
});

describe("platform endpoints", () => {
  it("publishes OpenAPI 3.1 with the identity routes, docs, health and metrics", async () => {
    const spec = await json(await platform.request("/openapi.json"));
    expect(spec.openapi).toMatch(/^3\.1/);
    for (const path of [
      "/api/v1/auth/login",
      "/mobile/v1/auth/refresh",
      "/api/v1/me/addresses/{id}",
      "/admin/v1/users",
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    expect((await platform.request("/docs")).status).toBe(200);
    expect((await platform.request("/healthz")).status).toBe(200);
    expect((await platform.request("/readyz")).status).toBe(200);
    const metrics = await platform.request("/metrics");
    expect(await metrics.text()).toContain("http_request");
  });
});
