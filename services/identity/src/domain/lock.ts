import { UserLockedSchema, UserUnlockedSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { domainEvent } from "@shopmesh/kit/domain-events";
import { failedPrecondition, invalid, permissionDenied } from "@shopmesh/kit/errors";
import { assertActive, type User, type UserChange, type UserLock } from "./user.ts";

/** The reason recorded for a lockout after repeated failed logins. */
export const LOCKOUT_REASON = "too many failed logins";
export const MAX_LOCK_REASON_LENGTH = 500;

/** The lock in force at `now`, or null: a lockout whose time has passed no longer counts. */
export function activeLock(user: User, now: Date): UserLock | null {
  const lock = user.lock;
  if (lock === null) return null;
  if (lock.until !== null && lock.until.getTime() <= now.getTime()) return null;
  return lock;
}

/** True when the account may not sign in or refresh tokens at `now`. */
export function isLocked(user: User, now: Date): boolean {
  return activeLock(user, now) !== null;
}

/** Throws permission_denied (ACCOUNT_LOCKED) while the account is locked: for refreshes and other calls by the user. */
export function assertNotLocked(user: User, now: Date): void {
  const lock = activeLock(user, now);
  if (lock === null) return;
  const until = lock.until ? ` until ${lock.until.toISOString()}` : "";
  throw permissionDenied(`the account is locked${until}`, "ACCOUNT_LOCKED");
}

export interface LockUserOptions {
  /** The admin locking the account; admins cannot lock themselves out. */
  actorId: string;
  /** The request field holding the reason. */
  field?: string;
}

/**
 * An admin lock: in force until UnlockUser, replacing any lockout after failed logins. Records
 * UserLocked (without until_time); locking again with the same reason changes nothing. The
 * caller signs out the account's sessions (reason "locked").
 */
export function lockUser(user: User, reason: string, now: Date, options: LockUserOptions): UserChange {
  assertActive(user);
  const text = reason.trim();
  const field = options.field ?? "reason";
  if (text.length === 0) throw invalid([{ field, description: "is required" }]);
  if ([...text].length > MAX_LOCK_REASON_LENGTH) {
    throw invalid([{ field, description: `must be at most ${MAX_LOCK_REASON_LENGTH} characters` }]);
  }
  if (options.actorId === user.id) throw failedPrecondition("you cannot lock your own account");
  if (user.lock !== null && user.lock.until === null && user.lock.reason === text)
    return { user, events: [] };
  return {
    user: { ...user, lock: { reason: text, until: null, since: now }, updateTime: now },
    events: [domainEvent(UserLockedSchema, user.id, { userId: user.id, reason: text })],
  };
}

/**
 * Lifts any lock (admin lock or lockout) and forgets failed logins. Records UserUnlocked when a
 * lock was in force; unlocking an unlocked account changes nothing visible.
 */
export function unlockUser(user: User, now: Date): UserChange {
  assertActive(user);
  const wasLocked = isLocked(user, now);
  if (user.lock === null && user.failedLogins === 0) return { user, events: [] };
  return {
    user: { ...user, lock: null, failedLogins: 0, failedLoginsSince: null, updateTime: now },
    events: wasLocked ? [domainEvent(UserUnlockedSchema, user.id, { userId: user.id })] : [],
  };
}
