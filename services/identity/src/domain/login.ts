import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LoginFailedSchema, UserLockedSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { DomainError, permissionDenied } from "@shopmesh/kit/errors";
import { invalidCredentials } from "./errors.ts";
import { activeLock, LOCKOUT_REASON } from "./lock.ts";
import type { User } from "./user.ts";

/** When repeated failed logins lock an account, and for how long. */
export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the account. */
  maxFailures: number;
  /** The window counted from the first failure; a failure after it starts a new count. */
  windowMs: number;
  /** How long the lockout lasts. */
  lockMs: number;
}

/** 5 failures within 15 minutes lock the account for 15 minutes. */
export const DEFAULT_LOCKOUT_POLICY: Readonly<LockoutPolicy> = Object.freeze({
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
});

/**
 * The second factor the caller checked for an account with MFA on:
 * - `missing`: neither a TOTP nor a recovery code was given;
 * - `invalid`: a code was given and did not match (or was replayed);
 * - `totp`: a TOTP code matched at `timeStep` (crypto/totp verifyTotp, with afterTimeStep = mfa.lastTotpStep);
 * - `recovery`: an unused recovery code matched; `codeHash` is its stored hash, removed on success.
 */
export type SecondFactor =
  | { kind: "missing" }
  | { kind: "invalid" }
  | { kind: "totp"; timeStep: number }
  | { kind: "recovery"; codeHash: string };

export interface LoginAttempt {
  /** Whether the password matched user.passwordHash. */
  passwordValid: boolean;
  /** Needed when user.mfa.status is "enabled"; ignored otherwise. Undefined counts as missing. */
  secondFactor?: SecondFactor;
  /** The client's address, recorded on LoginFailed. */
  ipAddress?: string;
  now: Date;
}

/**
 * What a login attempt did. Both kinds may carry a changed user and events (failure counters,
 * lockout): persist them, then throw `error` on failure. Nothing is changed for an attempt on a
 * locked account or one that only lacked the MFA code.
 */
export type LoginOutcome =
  | { ok: true; user: User; events: DomainEvent[] }
  | { ok: false; user: User; events: DomainEvent[]; error: DomainError };

/**
 * Decides a login attempt on an existing account, after the caller verified the password (and the
 * second factor when MFA is on).
 *
 * - A deleted account fails like an unknown email (INVALID_CREDENTIALS).
 * - A locked account answers ACCOUNT_LOCKED only to the right password, so the lock does not tell
 *   strangers the email is registered; failures while locked are not counted, so nobody can
 *   extend a lockout by trying on.
 * - A wrong password or MFA code counts a failure and records LoginFailed; the failure that
 *   reaches `policy.maxFailures` within the window locks the account for `policy.lockMs` and
 *   records UserLocked with until_time.
 * - The right password without a needed code answers MFA_REQUIRED and counts nothing.
 * - Success resets the failure count, ends an expired lockout, sets lastLoginTime, and marks the
 *   TOTP step or recovery code used so it cannot be used again.
 */
export function recordLoginAttempt(
  user: User,
  attempt: LoginAttempt,
  policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
): LoginOutcome {
  const { now } = attempt;
  if (user.deleteTime !== null) return { ok: false, user, events: [], error: invalidCredentials() };
  const lock = activeLock(user, now);
  if (lock !== null) {
    const error = attempt.passwordValid
      ? permissionDenied("the account is locked", "ACCOUNT_LOCKED")
      : invalidCredentials();
    return { ok: false, user, events: [], error };
  }
  if (!attempt.passwordValid) return recordFailure(user, attempt, policy);

  let mfa = user.mfa;
  if (user.mfa.status === "enabled") {
    const factor = attempt.secondFactor ?? { kind: "missing" };
    switch (factor.kind) {
      case "missing":
        return {
          ok: false,
          user,
          events: [],
          error: new DomainError("unauthenticated", "a TOTP or recovery code is required", {
            reason: "MFA_REQUIRED",
          }),
        };
      case "invalid":
        return recordFailure(user, attempt, policy);
      case "totp":
        if (user.mfa.lastTotpStep !== null && factor.timeStep <= user.mfa.lastTotpStep) {
          return recordFailure(user, attempt, policy);
        }
        mfa = { ...mfa, lastTotpStep: factor.timeStep };
        break;
      case "recovery":
        if (!user.mfa.recoveryCodeHashes.includes(factor.codeHash))
          return recordFailure(user, attempt, policy);
        mfa = {
          ...mfa,
          recoveryCodeHashes: mfa.recoveryCodeHashes.filter((hash) => hash !== factor.codeHash),
        };
        break;
    }
  }
  return {
    ok: true,
    user: { ...user, lock: null, failedLogins: 0, failedLoginsSince: null, lastLoginTime: now, mfa },
    events: [],
  };
}

function recordFailure(user: User, attempt: LoginAttempt, policy: LockoutPolicy): LoginOutcome {
  const { now } = attempt;
  const since = user.failedLoginsSince;
  const inWindow = since !== null && now.getTime() - since.getTime() < policy.windowMs;
  const failedLogins = inWindow ? user.failedLogins + 1 : 1;
  const events: DomainEvent[] = [
    domainEvent(LoginFailedSchema, user.id, {
      userId: user.id,
      failedAttempts: failedLogins,
      ipAddress: attempt.ipAddress ?? "",
    }),
  ];
  // An expired lockout is dropped here, so the record shows only locks in force.
  let next: User = {
    ...user,
    lock: null,
    failedLogins,
    failedLoginsSince: inWindow ? since : now,
  };
  if (failedLogins >= policy.maxFailures) {
    const until = new Date(now.getTime() + policy.lockMs);
    next = {
      ...next,
      lock: { reason: LOCKOUT_REASON, until, since: now },
      failedLogins: 0,
      failedLoginsSince: null,
    };
    events.push(
      domainEvent(UserLockedSchema, user.id, {
        userId: user.id,
        reason: LOCKOUT_REASON,
        untilTime: timestampFromDate(until),
      }),
    );
  }
  return { ok: false, user: next, events, error: invalidCredentials() };
}
