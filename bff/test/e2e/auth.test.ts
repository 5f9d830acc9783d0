import {
  EmailVerificationRequestedSchema,
  PasswordResetRequestedSchema,
  RefreshTokenReuseDetectedSchema,
  UserLockedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
function newEmail(): string {
  return `user${Date.now().toString(36)}${counter++}@e2e.test`;
}
const PASSWORD = "a-long-enough-password";

async function register(email = newEmail(), password = PASSWORD): Promise<Json> {
  const res = await platform.request("/api/v1/auth/register", {
    method: "POST",
    json: { email, password, displayName: "Ada Lovelace" },
  });
  expect(res.status).toBe(201);
  return (await json(res)).user;
}

/** The refresh cookie set by a response, as "name=value" for a Cookie header. */
function refreshCookie(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  const match = /(__Host-shopmesh_rt=[^;]*)/.exec(header);
  if (!match?.[1]) throw new Error(`no refresh cookie in ${header}`);
  return match[1];
}

async function login(email: string, password = PASSWORD, extra: Record<string, string> = {}) {
  return platform.request("/api/v1/auth/login", { method: "POST", json: { email, password, ...extra } });
}

describe("web auth: register, login, refresh, logout", () => {
  it("registers a customer and refuses the same email twice", async () => {
    const email = newEmail();
    const user = await register(email);
    expect(user).toMatchObject({
      email,
      emailVerified: false,
      roles: ["customer"],
      displayName: "Ada Lovelace",
    });
    const again = await platform.request("/api/v1/auth/register", {
      method: "POST",
      json: { email: email.toUpperCase(), password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toContain("application/problem+json");
    expect((await json(again)).code).toBe("EMAIL_TAKEN");
  });

  it("names the bad fields of a registration", async () => {
    const res = await platform.request("/api/v1/auth/register", {
      method: "POST",
      json: { email: "not-an-email", password: "x" },
    });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.errors.map((e: Json) => e.field)).toContain("email");

    const weak = await platform.request("/api/v1/auth/register", {
      method: "POST",
      json: { email: newEmail(), password: "short" },
    });
    expect(weak.status).toBe(422);
    expect((await json(weak)).errors.map((e: Json) => e.field)).toEqual(["password"]);
  });

  it("answers malformed JSON with a 400 problem, never a 500", async () => {
    const res = await platform.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": "a@b.c", ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("logs in with the documented answer and an HttpOnly refresh cookie", async () => {
    const email = newEmail();
    await register(email);
    const res = await login(email);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ tokenType: "Bearer", user: { email } });
    expect(body.expiresIn).toBeGreaterThan(600);
    expect(body.expiresIn).toBeLessThanOrEqual(900);
    expect(body.refreshToken).toBeUndefined();
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(res.headers.get("cache-control")).toContain("no-store");

    const me = await platform.request("/api/v1/me", { token: body.accessToken });
    expect(me.status).toBe(200);
    expect((await json(me)).email).toBe(email);
  });

  it("refuses a wrong password without saying whether the email exists", async () => {
    const email = newEmail();
    await register(email);
    const wrong = await login(email, "not-the-password-1");
    const unknown = await login(newEmail(), "not-the-password-1");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await json(wrong)).code).toBe("INVALID_CREDENTIALS");
    expect((await json(unknown)).code).toBe("INVALID_CREDENTIALS");
  });

  it("locks the account after repeated failures, even for the right password", async () => {
    const email = newEmail();
    const user = await register(email);
    for (let i = 0; i < 5; i++) expect((await login(email, "wrong-password-123")).status).toBe(401);
    const locked = await login(email);
    expect(locked.status).toBe(403);
    expect((await json(locked)).code).toBe("ACCOUNT_LOCKED");
    const events = await platform.events(UserLockedSchema);
    expect(events.some((event) => event.userId === user.id)).toBe(true);
  });

  it("rotates the refresh cookie and revokes the family when an old one comes back", async () => {
    const email = newEmail();
    await register(email);
    const first = refreshCookie(await login(email));

    const refreshed = await platform.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: first },
    });
    expect(refreshed.status).toBe(200);
    expect((await json(refreshed)).accessToken).toBeTruthy();
    const second = refreshCookie(refreshed);
    expect(second).not.toBe(first);

    const reused = await platform.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: first },
    });
    expect(reused.status).toBe(401);
    expect((await json(reused)).code).toBe("REFRESH_TOKEN_REUSED");
    // the whole family is gone: the newest token is dead too
    const after = await platform.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: second },
    });
    expect(after.status).toBe(401);
    expect((await platform.events(RefreshTokenReuseDetectedSchema)).length).toBeGreaterThan(0);
  });

  it("logs out: the cookie is cleared and its refresh token is dead", async () => {
    const email = newEmail();
    await register(email);
    const cookie = refreshCookie(await login(email));
    const out = await platform.request("/api/v1/auth/logout", { method: "POST", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/i);
    const refresh = await platform.request("/api/v1/auth/refresh", { method: "POST", headers: { cookie } });
    expect(refresh.status).toBe(401);
  });

  it("refreshes without a cookie as 401, not 500", async () => {
    const res = await platform.request("/api/v1/auth/refresh", { method: "POST" });
    expect(res.status).toBe(401);
  });
});

describe("mobile auth: the refresh token travels in the body", () => {
  it("logs in, refreshes and logs out with body tokens", async () => {
    const email = newEmail();
    await register(email);
    const res = await platform.request("/mobile/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    const body = await json(res);
    expect(body).toMatchObject({ tokenType: "Bearer", user: { email } });
    expect(body.refreshToken).toBeTruthy();

    const refreshed = await platform.request("/mobile/v1/auth/refresh", {
      method: "POST",
      json: { refreshToken: body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const next = await json(refreshed);
    expect(next.refreshToken).not.toBe(body.refreshToken);

    const out = await platform.request("/mobile/v1/auth/logout", {
      method: "POST",
      json: { refreshToken: next.refreshToken },
    });
    expect(out.status).toBe(204);
    const dead = await platform.request("/mobile/v1/auth/refresh", {
      method: "POST",
      json: { refreshToken: next.refreshToken },
    });
    expect(dead.status).toBe(401);
  });

  it("requires the refresh token field", async () => {
    const res = await platform.request("/mobile/v1/auth/refresh", { method: "POST", json: {} });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].field).toBe("refreshToken");
  });
});

describe("email verification and password reset", () => {
  it("verifies the email with the token from the event", async () => {
    const email = newEmail();
    const user = await register(email);
    const event = (await platform.events(EmailVerificationRequestedSchema)).find((e) => e.userId === user.id);
    expect(event?.token).toBeTruthy();
    const res = await platform.request("/api/v1/auth/email/verify", {
      method: "POST",
      json: { token: event?.token },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).user.emailVerified).toBe(true);
    const again = await platform.request("/api/v1/auth/email/verify", {
      method: "POST",
      json: { token: "ev_bogus" },
    });
    expect(again.status).toBe(401);
  });

  it("resets the password with the emailed token and signs out every session", async () => {
    const email = newEmail();
    const user = await register(email);
    const cookie = refreshCookie(await login(email));
    const forgot = await platform.request("/api/v1/auth/password/forgot", {
      method: "POST",
      json: { email },
    });
    expect(forgot.status).toBe(202);
    const unknown = await platform.request("/api/v1/auth/password/forgot", {
      method: "POST",
      json: { email: newEmail() },
    });
    expect(unknown.status).toBe(202);

    const event = (await platform.events(PasswordResetRequestedSchema)).find((e) => e.userId === user.id);
    expect(event?.token).toBeTruthy();
    const reset = await platform.request("/api/v1/auth/password/reset", {
      method: "POST",
      json: { token: event?.token, newPassword: "a-brand-new-password" },
    });
    expect(reset.status).toBe(204);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, "a-brand-new-password")).status).toBe(200);
    const old = await platform.request("/api/v1/auth/refresh", { method: "POST", headers: { cookie } });
    expect(old.status).toBe(401);
    const reuse = await platform.request("/api/v1/auth/password/reset", {
      method: "POST",
      json: { token: event?.token, newPassword: "yet-another-password" },
    });
    expect(reuse.status).toBe(401);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once the auth limit is spent", async () => {
    const limited = await startPlatform({ env: { RATE_LIMIT_AUTH_LIMIT: "3" } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await limited.request("/api/v1/auth/password/forgot", {
          method: "POST",
          json: { email: "x@y.zz" },
        });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(last?.headers.get("content-type")).toContain("application/problem+json");
    } finally {
      await limited.stop();
    }
  });
});
