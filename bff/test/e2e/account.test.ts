import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTotpCode } from "../../../services/identity/src/crypto/totp.ts";
import { type Json, json } from "../support/http.ts";
import { type Platform, startPlatform } from "../support/platform.ts";

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

let counter = 0;
const PASSWORD = "a-long-enough-password";

/** Registers and logs in a fresh customer; returns the access token and user. */
async function signUp(): Promise<{ token: string; user: Json; email: string; cookie: string }> {
  const email = `acct${Date.now().toString(36)}${counter++}@e2e.test`;
  const reg = await platform.request("/api/v1/auth/register", {
    method: "POST",
    json: { email, password: PASSWORD },
  });
  expect(reg.status).toBe(201);
  const res = await platform.request("/api/v1/auth/login", {
    method: "POST",
    json: { email, password: PASSWORD },
  });
  expect(res.status).toBe(200);
  const body = await json(res);
  const cookie = /(__Host-shopmesh_rt=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
  return { token: body.accessToken, user: body.user, email, cookie };
}

describe("profile", () => {
  it("needs a token", async () => {
    const res = await platform.request("/api/v1/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const bad = await platform.request("/api/v1/me", { token: "garbage" });
    expect(bad.status).toBe(401);
  });

  it("changes exactly the fields sent and validates them", async () => {
    const { token } = await signUp();
    const res = await platform.request("/api/v1/me", {
      method: "PATCH",
      token,
      json: { displayName: "Grace" },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ displayName: "Grace" });

    const locale = await platform.request("/api/v1/me", {
      method: "PATCH",
      token,
      json: { locale: "de-CH" },
    });
    expect(await json(locale)).toMatchObject({ displayName: "Grace", locale: "de-CH" });

    const bad = await platform.request("/api/v1/me", {
      method: "PATCH",
      token,
      json: { displayName: "   " },
    });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors[0].field).toBe("displayName");

    const empty = await platform.request("/api/v1/me", { method: "PATCH", token, json: {} });
    expect(empty.status).toBe(400);

    const unknown = await platform.request("/api/v1/me", {
      method: "PATCH",
      token,
      json: { roles: ["admin"] },
    });
    expect(unknown.status).toBe(400);
  });

  it("changes the password and signs out the other sessions", async () => {
    const { token, email, cookie } = await signUp();
    const other = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    const otherCookie = /(__Host-shopmesh_rt=[^;]*)/.exec(other.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const wrong = await platform.request("/api/v1/me/password", {
      method: "POST",
      token,
      json: { currentPassword: "not-my-password", newPassword: "another-long-password" },
    });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).errors[0].field).toBe("currentPassword");
    const res = await platform.request("/api/v1/me/password", {
      method: "POST",
      token,
      json: { currentPassword: PASSWORD, newPassword: "another-long-password" },
    });
    expect(res.status).toBe(204);
    const mine = await platform.request("/api/v1/auth/refresh", { method: "POST", headers: { cookie } });
    expect(mine.status).toBe(200);
    const theirs = await platform.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: otherCookie },
    });
    expect(theirs.status).toBe(401);
  });
});

describe("MFA", () => {
  it("enrols TOTP, then login asks for the code and takes a recovery code once", async () => {
    const { token, email } = await signUp();
    const enrol = await platform.request("/api/v1/me/mfa/totp", { method: "POST", token });
    expect(enrol.status).toBe(200);
    const { secret, otpauthUri } = await json(enrol);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);

    const wrong = await platform.request("/api/v1/me/mfa/totp/confirm", {
      method: "POST",
      token,
      json: { code: "000000" },
    });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).errors[0].field).toBe("code");
    const confirm = await platform.request("/api/v1/me/mfa/totp/confirm", {
      method: "POST",
      token,
      json: { code: await generateTotpCode(secret) },
    });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = await json(confirm);
    expect(recoveryCodes).toHaveLength(10);

    const noCode = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(noCode.status).toBe(401);
    expect((await json(noCode)).code).toBe("MFA_REQUIRED");

    const withRecovery = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD, recoveryCode: recoveryCodes[0] },
    });
    expect(withRecovery.status).toBe(200);
    expect((await json(withRecovery)).user.mfaEnabled).toBe(true);
    const reused = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD, recoveryCode: recoveryCodes[0] },
    });
    expect(reused.status).toBe(401);

    const disable = await platform.request("/api/v1/me/mfa/totp/disable", {
      method: "POST",
      token,
      json: { password: PASSWORD },
    });
    expect(disable.status).toBe(204);
    const plain = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(plain.status).toBe(200);
  });
});

describe("sessions", () => {
  it("lists my sessions and refuses another user's session", async () => {
    const me = await signUp();
    const other = await signUp();
    const list = await platform.request("/api/v1/me/sessions", { token: me.token });
    expect(list.status).toBe(200);
    const { sessions } = await json(list);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].current).toBe(true);

    const theirs = await json(await platform.request("/api/v1/me/sessions", { token: other.token }));
    const steal = await platform.request(`/api/v1/me/sessions/${theirs.sessions[0].id}`, {
      method: "DELETE",
      token: me.token,
    });
    expect(steal.status).toBe(404);
    const notUuid = await platform.request("/api/v1/me/sessions/abc", { method: "DELETE", token: me.token });
    expect(notUuid.status).toBe(400);

    const revoke = await platform.request(`/api/v1/me/sessions/${sessions[0].id}`, {
      method: "DELETE",
      token: me.token,
    });
    expect(revoke.status).toBe(204);
    const refresh = await platform.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: me.cookie },
    });
    expect(refresh.status).toBe(401);
  });
});

describe("addresses", () => {
  const home = {
    label: "Home",
    address: {
      recipient: "Ada Lovelace",
      line1: "1 Main St",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
    },
    defaultShipping: true,
  };

  it("creates, lists, patches and deletes addresses, keeping one default", async () => {
    const { token } = await signUp();
    const created = await platform.request("/api/v1/me/addresses", { method: "POST", token, json: home });
    expect(created.status).toBe(201);
    const first = await json(created);
    expect(first).toMatchObject({ label: "Home", defaultShipping: true, address: { city: "Berlin" } });

    const second = await json(
      await platform.request("/api/v1/me/addresses", {
        method: "POST",
        token,
        json: { ...home, label: "Office" },
      }),
    );
    expect(second.defaultShipping).toBe(true);
    const list = await json(await platform.request("/api/v1/me/addresses", { token }));
    expect(list.addresses.filter((a: Json) => a.defaultShipping)).toHaveLength(1);

    const patched = await platform.request(`/api/v1/me/addresses/${first.id}`, {
      method: "PATCH",
      token,
      json: { address: { city: "Hamburg" } },
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).address).toMatchObject({ city: "Hamburg", line1: "1 Main St" });

    const deleted = await platform.request(`/api/v1/me/addresses/${first.id}`, { method: "DELETE", token });
    expect(deleted.status).toBe(204);
    const gone = await platform.request(`/api/v1/me/addresses/${first.id}`, { method: "DELETE", token });
    expect(gone.status).toBe(404);
  });

  it("names the bad field of an address", async () => {
    const { token } = await signUp();
    const res = await platform.request("/api/v1/me/addresses", {
      method: "POST",
      token,
      json: { ...home, address: { ...home.address, countryCode: "XX" } },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: Json) => e.field)).toContain("address.countryCode");
  });

  it("never shows or changes another user's address", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const address = await json(
      await platform.request("/api/v1/me/addresses", { method: "POST", token: owner.token, json: home }),
    );
    const patch = await platform.request(`/api/v1/me/addresses/${address.id}`, {
      method: "PATCH",
      token: stranger.token,
      json: { label: "mine now" },
    });
    expect(patch.status).toBe(404);
    const list = await json(await platform.request("/api/v1/me/addresses", { token: stranger.token }));
    expect(list.addresses).toHaveLength(0);
  });
});

describe("export and deletion", () => {
  it("exports my data and deletes my account", async () => {
    const { token, email, user } = await signUp();
    const exported = await platform.request("/api/v1/me/export", { token });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toContain("attachment");
    const data = await json(exported);
    expect(data.user).toMatchObject({ id: user.id, email });
    expect(data.sessions.length).toBeGreaterThan(0);

    const noPassword = await platform.request("/api/v1/me", {
      method: "DELETE",
      token,
      json: { password: "wrong-password" },
    });
    expect(noPassword.status).toBe(422);
    expect((await json(noPassword)).errors[0].field).toBe("password");
    const deleted = await platform.request("/api/v1/me", {
      method: "DELETE",
      token,
      json: { password: PASSWORD },
    });
    expect(deleted.status).toBe(204);
    const login = await platform.request("/api/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(login.status).toBe(401);
  });
});
