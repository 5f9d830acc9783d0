import {
  LoginFailedSchema,
  MfaEnabledSchema,
  RefreshTokenReuseDetectedSchema,
  SessionRevokedSchema,
  SessionStartedSchema,
  UserLockedSchema,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTotpCode } from "../src/crypto/totp.ts";
import { bearer, Code, failure, PASSWORD, startIdentity, type TestIdentity } from "./support.ts";

let t: TestIdentity;

beforeAll(async () => {
  t = await startIdentity();
});

afterAll(async () => {
  await t?.stop();
});

describe("Register", () => {
  it("creates a customer with a normalised email and records UserRegistered", async () => {
    const { user } = await t.client.register({
      email: " Ann@Example.COM ",
      password: PASSWORD,
      displayName: "Ann",
    });
    expect(user).toMatchObject({
      email: "ann@example.com",
      displayName: "Ann",
      emailVerified: false,
      roles: [1],
    });
    const [event] = await t.events(UserRegisteredSchema, user!.id);
    expect(event).toMatchObject({ userId: user!.id, email: "ann@example.com" });
  });

  it("refuses a taken email with ALREADY_EXISTS / EMAIL_TAKEN, also when two register at once", async () => {
    await t.client.register({ email: "taken@example.com", password: PASSWORD });
    const again = await failure(t.client.register({ email: "TAKEN@example.com", password: PASSWORD }));
    expect(again.code).toBe(Code.AlreadyExists);
    expect(errorReason(again)).toBe("EMAIL_TAKEN");

    const race = await Promise.allSettled(
      [1, 2, 3].map(() => t.client.register({ email: "race@example.com", password: PASSWORD })),
    );
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const lost of race.filter((r) => r.status === "rejected")) {
      expect(errorReason((lost as PromiseRejectedResult).reason)).toBe("EMAIL_TAKEN");
    }
  });

  it("names every bad field", async () => {
    const error = await failure(
      t.client.register({ email: "not-an-email", password: "short", locale: "??" }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["email", "password", "locale"]);
  });
});

describe("Login", () => {
  it("returns tokens and a session; a wrong password or unknown email is INVALID_CREDENTIALS", async () => {
    const ann = await t.signIn("ann@example.com");
    expect(ann.tokens.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const [started] = await t.events(SessionStartedSchema, ann.userId);
    expect(started).toMatchObject({
      sessionId: ann.tokens.sessionId,
      userAgent: "vitest",
      ipAddress: "203.0.113.7",
    });

    for (const attempt of [
      { email: "ann@example.com", password: "not the password at all" },
      { email: "nobody@example.com", password: PASSWORD },
    ]) {
      const error = await failure(t.client.login(attempt));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(errorReason(error)).toBe("INVALID_CREDENTIALS");
    }
  });

  it("locks the account after 5 failures, counted right when they arrive together", async () => {
    const { userId } = await t.signUp("lockout@example.com");
    const attempts = await Promise.allSettled(
      [1, 2, 3, 4, 5].map(() =>
        t.client.login({ email: "lockout@example.com", password: "wrong password 123" }),
      ),
    );
    for (const attempt of attempts) {
      expect(errorReason((attempt as PromiseRejectedResult).reason)).toBe("INVALID_CREDENTIALS");
    }
    const failed = await t.events(LoginFailedSchema, userId);
    expect(failed.map((e) => e.failedAttempts).sort()).toEqual([1, 2, 3, 4, 5]);
    const [locked] = await t.events(UserLockedSchema, userId);
    expect(locked?.untilTime).toBeDefined();

    const right = await failure(t.client.login({ email: "lockout@example.com", password: PASSWORD }));
    expect(right.code).toBe(Code.PermissionDenied);
    expect(errorReason(right)).toBe("ACCOUNT_LOCKED");
  });
});

describe("TOTP multi-factor", () => {
  it("asks for a code, accepts a TOTP code once and a recovery code once", async () => {
    const { userId, auth } = await t.signUp("mfa@example.com");
    const { secret, otpauthUri } = await t.client.enrollTotp({}, auth);
    expect(otpauthUri).toContain(`secret=${secret}`);
    const wrong = await failure(t.client.confirmTotp({ code: "000000" }, auth));
    expect(fieldViolations(wrong)).toEqual([{ field: "code", description: expect.any(String) }]);
    const { recoveryCodes } = await t.client.confirmTotp({ code: await generateTotpCode(secret) }, auth);
    expect(recoveryCodes).toHaveLength(10);
    expect(await t.events(MfaEnabledSchema, userId)).toHaveLength(1);

    const missing = await failure(t.client.login({ email: "mfa@example.com", password: PASSWORD }));
    expect(missing.code).toBe(Code.Unauthenticated);
    expect(errorReason(missing)).toBe("MFA_REQUIRED");

    // The confirmation used the current step; the next step's code is fresh and within the window.
    const totpCode = await generateTotpCode(secret, new Date(Date.now() + 30_000));
    const withTotp = await t.client.login({ email: "mfa@example.com", password: PASSWORD, totpCode });
    expect(withTotp.user?.mfaEnabled).toBe(true);
    const replay = await failure(t.client.login({ email: "mfa@example.com", password: PASSWORD, totpCode }));
    expect(errorReason(replay)).toBe("INVALID_CREDENTIALS");

    const recoveryCode = recoveryCodes[0]!;
    await t.client.login({ email: "mfa@example.com", password: PASSWORD, recoveryCode });
    const reused = await failure(
      t.client.login({ email: "mfa@example.com", password: PASSWORD, recoveryCode }),
    );
    expect(errorReason(reused)).toBe("INVALID_CREDENTIALS");
  });

  it("replaces recovery codes with a current code and turns MFA off with the password", async () => {
    const { auth } = await t.signUp("mfa2@example.com");
    const { secret } = await t.client.enrollTotp({}, auth);
    const first = await t.client.confirmTotp({ code: await generateTotpCode(secret) }, auth);
    const next = await t.client.regenerateRecoveryCodes(
      { code: await generateTotpCode(secret, new Date(Date.now() + 30_000)) },
      auth,
    );
    expect(next.recoveryCodes).not.toContain(first.recoveryCodes[0]);
    const old = await failure(
      t.client.login({
        email: "mfa2@example.com",
        password: PASSWORD,
        recoveryCode: first.recoveryCodes[0]!,
      }),
    );
    expect(errorReason(old)).toBe("INVALID_CREDENTIALS");
    await t.client.login({
      email: "mfa2@example.com",
      password: PASSWORD,
      recoveryCode: next.recoveryCodes[0]!,
    });

    const badPassword = await failure(t.client.disableTotp({ password: "wrong password 123" }, auth));
    expect(fieldViolations(badPassword).map((v) => v.field)).toEqual(["password"]);
    await t.client.disableTotp({ password: PASSWORD }, auth);
    const { user } = await t.client.login({ email: "mfa2@example.com", password: PASSWORD });
    expect(user?.mfaEnabled).toBe(false);
  });
});

describe("RefreshToken", () => {
  it("rotates the refresh token on every use", async () => {
    const { tokens } = await t.signUp("rotate@example.com");
    const first = await t.client.refreshToken({ refreshToken: tokens.refreshToken });
    expect(first.tokens?.refreshToken).not.toBe(tokens.refreshToken);
    expect(first.tokens?.sessionId).toBe(tokens.sessionId);
    const second = await t.client.refreshToken({ refreshToken: first.tokens!.refreshToken });
    expect((await t.client.getProfile({}, bearer(second.tokens!))).user?.email).toBe("rotate@example.com");
  });

  it("revokes the whole family when a rotated token comes back", async () => {
    const { userId, tokens } = await t.signUp("reuse@example.com");
    const rotated = await t.client.refreshToken({ refreshToken: tokens.refreshToken });
    const reuse = await failure(t.client.refreshToken({ refreshToken: tokens.refreshToken }));
    expect(reuse.code).toBe(Code.Unauthenticated);
    expect(errorReason(reuse)).toBe("REFRESH_TOKEN_REUSED");
    const current = await failure(t.client.refreshToken({ refreshToken: rotated.tokens!.refreshToken }));
    expect(errorReason(current)).toBe("TOKEN_INVALID");
    expect(await t.events(RefreshTokenReuseDetectedSchema, userId)).toEqual([
      expect.objectContaining({ sessionId: tokens.sessionId }),
    ]);
    expect((await t.events(SessionRevokedSchema, userId)).map((e) => e.reason)).toEqual(["token_reuse"]);
  });

  it("lets at most one of several concurrent refreshes with the same token succeed", async () => {
    const { tokens } = await t.signUp("concurrent@example.com");
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map(() => t.client.refreshToken({ refreshToken: tokens.refreshToken })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const lost of results.filter((r) => r.status === "rejected")) {
      expect((lost as PromiseRejectedResult).reason.code).toBe(Code.Unauthenticated);
    }
  });

  it("treats garbage and unknown tokens as TOKEN_INVALID", async () => {
    for (const refreshToken of ["garbage", `rt_${"A".repeat(43)}`]) {
      expect(errorReason(await failure(t.client.refreshToken({ refreshToken })))).toBe("TOKEN_INVALID");
    }
  });
});

describe("Logout and sessions", () => {
  it("lists the caller's sessions marking the current one, and revokes one of them", async () => {
    const a = await t.signUp("sessions@example.com");
    const b = await t.signIn("sessions@example.com", PASSWORD, "phone");
    const { sessions } = await t.client.listSessions({}, a.auth);
    expect(sessions.map((s) => [s.id, s.current])).toEqual([
      [a.tokens.sessionId, true],
      [b.tokens.sessionId, false],
    ]);
    expect(sessions[1]?.userAgent).toBe("phone");

    await t.client.revokeSession({ sessionId: b.tokens.sessionId }, a.auth);
    const dead = await failure(t.client.refreshToken({ refreshToken: b.tokens.refreshToken }));
    expect(errorReason(dead)).toBe("TOKEN_INVALID");
    expect((await t.client.listSessions({}, a.auth)).sessions.map((s) => s.id)).toEqual([a.tokens.sessionId]);
  });

  it("answers NOT_FOUND for another user's session and INVALID_ARGUMENT for a malformed id", async () => {
    const mine = await t.signUp("mine@example.com");
    const theirs = await t.signUp("theirs@example.com");
    const other = await failure(t.client.revokeSession({ sessionId: theirs.tokens.sessionId }, mine.auth));
    expect(other.code).toBe(Code.NotFound);
    await t.client.refreshToken({ refreshToken: theirs.tokens.refreshToken });
    const malformed = await failure(t.client.revokeSession({ sessionId: "42" }, mine.auth));
    expect(fieldViolations(malformed)).toEqual([{ field: "sessionId", description: "must be a UUID" }]);
  });

  it("ends the session of the refresh token on logout; unknown tokens succeed too", async () => {
    const { tokens } = await t.signUp("logout@example.com");
    await t.client.logout({ refreshToken: tokens.refreshToken });
    expect(errorReason(await failure(t.client.refreshToken({ refreshToken: tokens.refreshToken })))).toBe(
      "TOKEN_INVALID",
    );
    await t.client.logout({ refreshToken: `rt_${"B".repeat(43)}` });
  });

  it("refuses a service principal where a signed-in user is needed", async () => {
    const error = await failure(t.serviceClient.getProfile({}));
    expect(error.code).toBe(Code.Unauthenticated);
  });
});
