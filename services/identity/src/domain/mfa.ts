import { MfaDisabledSchema, MfaEnabledSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { domainEvent } from "@shopmesh/kit/domain-events";
import { type DomainError, failedPrecondition, invalid } from "@shopmesh/kit/errors";
import { assertActive, MFA_DISABLED, type User, type UserChange } from "./user.ts";

/**
 * Starts TOTP enrolment with a new secret (crypto/totp generateTotpSecret). Logins do not ask
 * for TOTP until confirmTotp; enrolling again while pending replaces the secret. Refused while
 * MFA is on: disabling it first needs the password.
 */
export function startTotpEnrollment(user: User, totpSecret: string, now: Date): UserChange {
  assertActive(user);
  if (user.mfa.status === "enabled") throw failedPrecondition("MFA is on already; turn it off first");
  return {
    user: {
      ...user,
      mfa: { status: "pending", totpSecret, recoveryCodeHashes: [], lastTotpStep: null },
      updateTime: now,
    },
    events: [],
  };
}

export interface TotpConfirmation {
  /** The time step of the code the caller verified against the pending secret. */
  timeStep: number;
  /** Hashes of the new recovery codes (crypto/totp generateRecoveryCodes). */
  recoveryCodeHashes: readonly string[];
}

/** Turns MFA on after the caller verified a code of the pending secret; records MfaEnabled. */
export function confirmTotp(user: User, confirmation: TotpConfirmation, now: Date): UserChange {
  assertActive(user);
  if (user.mfa.status !== "pending")
    throw failedPrecondition("no TOTP enrolment in progress; call EnrollTotp first");
  return {
    user: {
      ...user,
      mfa: {
        ...user.mfa,
        status: "enabled",
        recoveryCodeHashes: [...confirmation.recoveryCodeHashes],
        lastTotpStep: confirmation.timeStep,
      },
      updateTime: now,
    },
    events: [domainEvent(MfaEnabledSchema, user.id, { userId: user.id })],
  };
}

/**
 * Turns MFA off (the caller checked the password) and forgets the secret and recovery codes.
 * Records MfaDisabled when it was on; cancels a pending enrolment silently; no-op when off.
 */
export function disableTotp(user: User, now: Date): UserChange {
  assertActive(user);
  if (user.mfa.status === "disabled") return { user, events: [] };
  const events =
    user.mfa.status === "enabled" ? [domainEvent(MfaDisabledSchema, user.id, { userId: user.id })] : [];
  return { user: { ...user, mfa: { ...MFA_DISABLED, recoveryCodeHashes: [] }, updateTime: now }, events };
}

/**
 * Replaces the recovery codes, after the caller verified a current TOTP code at `timeStep`
 * (which becomes used). Refused without MFA on.
 */
export function replaceRecoveryCodes(user: User, confirmation: TotpConfirmation, now: Date): UserChange {
  assertActive(user);
  if (user.mfa.status !== "enabled") throw failedPrecondition("MFA is not on");
  assertFreshStep(user, confirmation.timeStep);
  return {
    user: {
      ...user,
      mfa: {
        ...user.mfa,
        recoveryCodeHashes: [...confirmation.recoveryCodeHashes],
        lastTotpStep: confirmation.timeStep,
      },
      updateTime: now,
    },
    events: [],
  };
}

/** The violation for a TOTP code that does not match, for the request field holding it. */
export function invalidTotpCode(field = "code"): DomainError {
  return invalid([{ field, description: "is not a current code of your authenticator app" }]);
}

function assertFreshStep(user: User, timeStep: number): void {
  if (user.mfa.lastTotpStep !== null && timeStep <= user.mfa.lastTotpStep) throw invalidTotpCode();
}
