import {
  type UserLocked,
  UserLockedSchema,
  UserUnlockedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { activeLock, assertNotLocked, isLocked, lockUser, unlockUser } from "./lock.ts";
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

describe("lockUser", () => {
  it("locks until unlocked and records UserLocked without until_time", () => {
    const { user, events } = lockUser(newUser(), "  chargeback fraud ", t0, { actorId: "admin" });
    expect(user.lock).toEqual({ reason: "chargeback fraud", until: null, since: t0 });
    expect(isLocked(user, minutes(60 * 24 * 365))).toBe(true);
    expect(events[0]?.type).toBe(UserLockedSchema);
    expect(events[0]?.data).toMatchObject({ reason: "chargeback fraud" });
    expect((events[0]?.data as UserLocked | undefined)?.untilTime).toBeUndefined();
  });

  it("requires a reason", () => {
    expect(() => lockUser(newUser(), "  ", t0, { actorId: "admin" })).toThrow(
      expect.objectContaining({ violations: [{ field: "reason", description: "is required" }] }),
    );
  });

  it("refuses to let admins lock themselves", () => {
    expect(() => lockUser(newUser(), "oops", t0, { actorId: "u1" })).toThrow(
      expect.objectContaining({ kind: "failed_precondition" }),
    );
  });

  it("records nothing when locking again with the same reason", () => {
    const once = lockUser(newUser(), "fraud", t0, { actorId: "admin" }).user;
    expect(lockUser(once, "fraud", minutes(1), { actorId: "admin" }).events).toEqual([]);
  });
});

describe("unlockUser", () => {
  it("lifts the lock, forgets failures and records UserUnlocked", () => {
    const locked = newUser({
      lock: { reason: "x", until: null, since: t0 },
      failedLogins: 2,
      failedLoginsSince: t0,
    });
    const { user, events } = unlockUser(locked, minutes(1));
    expect(user).toMatchObject({ lock: null, failedLogins: 0, failedLoginsSince: null });
    expect(events.map((e) => e.type)).toEqual([UserUnlockedSchema]);
  });

  it("records nothing for an account that is not locked", () => {
    expect(unlockUser(newUser(), t0)).toEqual({ user: newUser(), events: [] });
  });
});

describe("lock state", () => {
  it("treats a lockout as over once its time has passed", () => {
    const user = newUser({ lock: { reason: "too many failed logins", until: minutes(15), since: t0 } });
    expect(activeLock(user, minutes(14))).not.toBeNull();
    expect(activeLock(user, minutes(15))).toBeNull();
  });

  it("throws ACCOUNT_LOCKED while locked", () => {
    const user = newUser({ lock: { reason: "x", until: minutes(15), since: t0 } });
    let error: unknown;
    try {
      assertNotLocked(user, minutes(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "permission_denied", reason: "ACCOUNT_LOCKED" });
    expect(() => assertNotLocked(user, minutes(16))).not.toThrow();
  });
});
