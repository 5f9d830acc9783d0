import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  LoginFailedSchema,
  type UserLocked,
  UserLockedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCKOUT_POLICY, type LoginAttempt, type LoginOutcome, recordLoginAttempt } from "./login.ts";
import { registerUser, type User } from "./user.ts";

const t0 = new Date("2025-03-01T10:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function newUser(overrides: Partial<User> = {}): User {
  const { user } = registerUser({
    id: "u1",
    email: "ann@example.com",
    displayName: "Ann",
    locale: "",
    passwordHash: "h",
    now: t0,
  });
  return { ...user, ...overrides };
}

function attempt(
  user: User,
  passwordValid: boolean,
  now: Date,
  extra: Partial<LoginAttempt> = {},
): LoginOutcome {
  return recordLoginAttempt(user, { passwordValid, now, ipAddress: "203.0.113.9", ...extra });
}

/** Fails `times` logins one minute apart, starting at minute `start`. */
function failTimes(user: User, times: number, start = 0): LoginOutcome {
  let outcome: LoginOutcome = { ok: true, user, events: [] };
  for (let i = 0; i < times; i++) outcome = attempt(outcome.user, false, minutes(start + i));
  return outcome;
}

const enabledMfa = {
  status: "enabled" as const,
  totpSecret: "S",
  recoveryCodeHashes: ["r1", "r2"],
  lastTotpStep: 100,
};

describe("recordLoginAttempt: password", () => {
  it("signs in with the right password and records the time", () => {
    const outcome = attempt(newUser(), true, minutes(1));
    expect(outcome.ok).toBe(true);
    expect(outcome.user.lastLoginTime).toEqual(minutes(1));
  });

  it("counts a wrong password and records LoginFailed with the count and address", () => {
    const outcome = attempt(newUser(), false, minutes(1));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.reason).toBe("INVALID_CREDENTIALS");
    expect(outcome.user.failedLogins).toBe(1);
    expect(outcome.events[0]?.type).toBe(LoginFailedSchema);
    expect(outcome.events[0]?.data).toMatchObject({
      userId: "u1",
      failedAttempts: 1,
      ipAddress: "203.0.113.9",
    });
  });

  it("fails like an unknown email for a deleted account", () => {
    const outcome = attempt(newUser({ deleteTime: t0 }), true, minutes(1));
    expect(outcome).toMatchObject({
      ok: false,
      events: [],
      error: { reason: "INVALID_CREDENTIALS" },
    });
  });
});

describe("recordLoginAttempt: lockout", () => {
  it("locks the account for 15 minutes after 5 failures within 15 minutes", () => {
    const fourth = failTimes(newUser(), 4);
    expect(fourth.user.lock).toBeNull();
    const fifth = attempt(fourth.user, false, minutes(4));
    expect(fifth.user.lock).toMatchObject({ until: minutes(19), since: minutes(4) });
    const locked = fifth.events.find((e) => e.type === UserLockedSchema);
    expect(locked).toBeDefined();
    const data = locked?.data as UserLocked;
    expect(data.untilTime && timestampDate(data.untilTime)).toEqual(minutes(19));
    expect(data.reason).toBe("too many failed logins");
  });

  it("answers ACCOUNT_LOCKED to the right password while locked, without changing anything", () => {
    const { user } = failTimes(newUser(), 5);
    const outcome = attempt(user, true, minutes(10));
    expect(outcome).toMatchObject({
      ok: false,
      events: [],
      error: { kind: "permission_denied", reason: "ACCOUNT_LOCKED" },
    });
    expect(outcome.user).toBe(user);
  });

  it("answers INVALID_CREDENTIALS to a wrong password while locked and does not extend the lock", () => {
    const { user } = failTimes(newUser(), 5);
    const outcome = attempt(user, false, minutes(10));
    expect(outcome).toMatchObject({
      ok: false,
      events: [],
      error: { reason: "INVALID_CREDENTIALS" },
    });
    expect(outcome.user.lock?.until).toEqual(minutes(19));
  });

  it("lets the user in once the lockout is over, clearing it", () => {
    const { user } = failTimes(newUser(), 5);
    const outcome = attempt(user, true, minutes(19));
    expect(outcome.ok).toBe(true);
    expect(outcome.user.lock).toBeNull();
  });

  it("resets the count on a successful login", () => {
    const afterFour = failTimes(newUser(), 4).user;
    const success = attempt(afterFour, true, minutes(5));
    expect(success.user).toMatchObject({ failedLogins: 0, failedLoginsSince: null });
    const next = failTimes(success.user, 4, 6);
    expect(next.user.lock).toBeNull();
  });

  it("starts a new count when the window has passed", () => {
    const afterFour = failTimes(newUser(), 4).user;
    const late = attempt(afterFour, false, minutes(20));
    expect(late.user).toMatchObject({ failedLogins: 1, failedLoginsSince: minutes(20), lock: null });
  });

  it("follows a custom policy", () => {
    const policy = { ...DEFAULT_LOCKOUT_POLICY, maxFailures: 2, lockMs: 60_000 };
    const first = recordLoginAttempt(newUser(), { passwordValid: false, now: t0 }, policy);
    const second = recordLoginAttempt(first.user, { passwordValid: false, now: minutes(1) }, policy);
    expect(second.user.lock?.until).toEqual(minutes(2));
  });

  it("keeps an admin lock whatever the password", () => {
    const user = newUser({ lock: { reason: "fraud", until: null, since: t0 } });
    expect(attempt(user, true, minutes(60 * 24))).toMatchObject({
      ok: false,
      error: { reason: "ACCOUNT_LOCKED" },
    });
  });
});

describe("recordLoginAttempt: MFA", () => {
  const mfaUser = () =>
    newUser({ mfa: { ...enabledMfa, recoveryCodeHashes: [...enabledMfa.recoveryCodeHashes] } });

  it("asks for the code when the password is right and none was given, counting nothing", () => {
    const outcome = attempt(mfaUser(), true, t0);
    expect(outcome).toMatchObject({
      ok: false,
      events: [],
      error: { kind: "unauthenticated", reason: "MFA_REQUIRED" },
    });
    expect(outcome.user.failedLogins).toBe(0);
  });

  it("counts a wrong code as a failed login", () => {
    const outcome = attempt(mfaUser(), true, t0, { secondFactor: { kind: "invalid" } });
    expect(outcome).toMatchObject({ ok: false, error: { reason: "INVALID_CREDENTIALS" } });
    expect(outcome.user.failedLogins).toBe(1);
  });

  it("accepts a TOTP code of a new time step and remembers the step", () => {
    const outcome = attempt(mfaUser(), true, t0, { secondFactor: { kind: "totp", timeStep: 101 } });
    expect(outcome.ok).toBe(true);
    expect(outcome.user.mfa.lastTotpStep).toBe(101);
  });

  it("refuses a TOTP code of a step already used", () => {
    const outcome = attempt(mfaUser(), true, t0, { secondFactor: { kind: "totp", timeStep: 100 } });
    expect(outcome.ok).toBe(false);
  });

  it("uses a recovery code up, so it works only once", () => {
    const first = attempt(mfaUser(), true, t0, { secondFactor: { kind: "recovery", codeHash: "r1" } });
    expect(first.ok).toBe(true);
    expect(first.user.mfa.recoveryCodeHashes).toEqual(["r2"]);
    const again = attempt(first.user, true, minutes(1), {
      secondFactor: { kind: "recovery", codeHash: "r1" },
    });
    expect(again).toMatchObject({ ok: false, error: { reason: "INVALID_CREDENTIALS" } });
  });

  it("ignores the second factor without MFA", () => {
    expect(attempt(newUser(), true, t0, { secondFactor: { kind: "invalid" } }).ok).toBe(true);
  });
});
