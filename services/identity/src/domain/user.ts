import {
  EmailVerifiedSchema,
  PasswordChangedSchema,
  ProfileUpdatedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserRolesChangedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import {
  type FieldViolation,
  failedPrecondition,
  invalid,
  notFound,
  throwIfInvalid,
} from "@shopmesh/kit/errors";
import { checkEmail, normalizeEmail } from "./email.ts";
import { resolveFieldMask } from "./field-mask.ts";
import { checkPassword } from "./password-policy.ts";
import {
  checkDisplayName,
  checkLocale,
  MAX_DISPLAY_NAME_LENGTH,
  normalizeDisplayName,
  normalizeLocale,
} from "./profile.ts";
import { DEFAULT_ROLE, isRoleName, type RoleName, roleToProto, sortRoles } from "./roles.ts";

/** A lock on an account: by an admin (until unlocked) or after too many failed logins (until `until`). */
export interface UserLock {
  /** The admin's reason, or LOCKOUT_REASON for a lockout after failed logins. */
  reason: string;
  /** When a lockout after failed logins ends; null for an admin lock. */
  until: Date | null;
  since: Date;
}

export type MfaStatus = "disabled" | "pending" | "enabled";

/** TOTP multi-factor state. */
export interface UserMfa {
  /** `pending` between EnrollTotp and ConfirmTotp: the secret exists but logins do not ask for it. */
  status: MfaStatus;
  /**
   * The TOTP secret (base32) while pending or enabled, else null. Opaque here: seal it
   * (crypto/secret-box) before it reaches the database.
   */
  totpSecret: string | null;
  /** Hashes of the recovery codes not used yet; a used code's hash is removed. */
  recoveryCodeHashes: string[];
  /** The TOTP time step last accepted; codes of that step or earlier are refused, so a code works once. */
  lastTotpStep: number | null;
}

/** The user aggregate as plain data; the functions of this folder return changed copies. */
export interface User {
  /** UUIDv7. */
  id: string;
  /** Normalised (see normalizeEmail); a tombstone after deletion. */
  email: string;
  emailVerified: boolean;
  /** argon2id PHC string; "" after deletion (no password matches). */
  passwordHash: string;
  displayName: string;
  /** BCP 47 tag or "" for the platform default. */
  locale: string;
  /** Canonical order, never empty for a live account. */
  roles: RoleName[];
  lock: UserLock | null;
  /** Failed logins in the current window (see LockoutPolicy). */
  failedLogins: number;
  /** When the current window of failed logins began; null with no failures. */
  failedLoginsSince: Date | null;
  mfa: UserMfa;
  createTime: Date;
  updateTime: Date;
  lastLoginTime: Date | null;
  /** Set when the account was deleted (personal data erased); the id stays for references. */
  deleteTime: Date | null;
}

/** A changed user and the events that record the change. */
export interface UserChange {
  user: User;
  events: DomainEvent[];
}

/** The proto paths UpdateProfile may write. */
export const PROFILE_WRITABLE_PATHS = ["display_name", "locale"] as const;

/** The MFA state of an account without MFA. */
export const MFA_DISABLED: Readonly<UserMfa> = Object.freeze({
  status: "disabled",
  totpSecret: null,
  recoveryCodeHashes: [],
  lastTotpStep: null,
});

/** True once the account was deleted. */
export function isDeleted(user: User): boolean {
  return user.deleteTime !== null;
}

/** Throws not_found for a deleted account: after deletion it no longer exists for the API. */
export function assertActive(user: User): void {
  if (isDeleted(user)) throw notFound(`user ${user.id} not found`);
}

export interface RegistrationInput {
  email: string;
  password: string;
  displayName: string;
  locale: string;
}

/**
 * Validates a Register request and returns its values normalised (email lower-cased, display
 * name trimmed, locale canonical). An empty display name becomes the email's part before @.
 * Throws `invalid` listing every bad field (email, password, displayName, locale).
 */
export function validateRegistration(input: RegistrationInput): RegistrationInput {
  const email = normalizeEmail(input.email);
  const given = normalizeDisplayName(input.displayName);
  const displayName = given || defaultDisplayName(email);
  const violations: FieldViolation[] = [
    ...checkEmail(email),
    ...checkPassword(input.password, { field: "password", email }),
    // The display name is optional: when it was left empty and the email is too malformed to
    // give a default, the email's violation says what to fix.
    ...(given === "" && displayName === "" ? [] : checkDisplayName(displayName)),
    ...checkLocale(input.locale),
  ];
  throwIfInvalid(violations);
  return { email, password: input.password, displayName, locale: normalizeLocale(input.locale) ?? "" };
}

function defaultDisplayName(email: string): string {
  const local = email.slice(0, Math.max(0, email.lastIndexOf("@")));
  return [...local].slice(0, MAX_DISPLAY_NAME_LENGTH).join("");
}

export interface NewUser {
  id: string;
  /** Values from validateRegistration. */
  email: string;
  displayName: string;
  locale: string;
  passwordHash: string;
  /** Defaults to [customer]; the seed passes [admin] for the demo admin. */
  roles?: readonly RoleName[];
  /** True for accounts whose email is known to be theirs (the seeded admin). */
  emailVerified?: boolean;
  now: Date;
}

/** A new account; records UserRegistered. */
export function registerUser(input: NewUser): UserChange {
  const roles = sortRoles(input.roles?.length ? input.roles : [DEFAULT_ROLE]);
  const user: User = {
    id: input.id,
    email: input.email,
    emailVerified: input.emailVerified ?? false,
    passwordHash: input.passwordHash,
    displayName: input.displayName,
    locale: input.locale,
    roles,
    lock: null,
    failedLogins: 0,
    failedLoginsSince: null,
    mfa: { ...MFA_DISABLED, recoveryCodeHashes: [] },
    createTime: input.now,
    updateTime: input.now,
    lastLoginTime: null,
    deleteTime: null,
  };
  const event = domainEvent(UserRegisteredSchema, user.id, {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    locale: user.locale,
  });
  return { user, events: [event] };
}

/** Marks the email verified; records EmailVerified the first time only. */
export function verifyEmail(user: User, now: Date): UserChange {
  assertActive(user);
  if (user.emailVerified) return { user, events: [] };
  return {
    user: { ...user, emailVerified: true, updateTime: now },
    events: [domainEvent(EmailVerifiedSchema, user.id, { userId: user.id, email: user.email })],
  };
}

export interface ProfilePatch {
  displayName?: string;
  locale?: string;
}

export interface ProfileUpdateOptions {
  /** The request field holding the user ("user"), prefixed to violations: "user.displayName". */
  field?: string;
  /** The request field holding the mask. */
  maskField?: string;
}

/**
 * Applies an UpdateProfile: the fields of `maskPaths` ("display_name", "locale"; empty means
 * both) are taken from `patch`, normalised and validated. Records ProfileUpdated naming the
 * fields whose value changed; nothing changes (and no event) when all values are the same.
 */
export function updateProfile(
  user: User,
  patch: ProfilePatch,
  maskPaths: readonly string[],
  now: Date,
  options: ProfileUpdateOptions = {},
): UserChange {
  assertActive(user);
  const prefix = options.field ?? "user";
  const leaves = resolveFieldMask(maskPaths, PROFILE_WRITABLE_PATHS, options.maskField);
  const next = { displayName: user.displayName, locale: user.locale };
  const violations: FieldViolation[] = [];
  if (leaves.includes("display_name")) {
    next.displayName = normalizeDisplayName(patch.displayName ?? "");
    violations.push(...checkDisplayName(next.displayName, `${prefix}.displayName`));
  }
  if (leaves.includes("locale")) {
    const locale = patch.locale ?? "";
    violations.push(...checkLocale(locale, `${prefix}.locale`));
    next.locale = normalizeLocale(locale) ?? "";
  }
  throwIfInvalid(violations);
  const changedFields: string[] = [];
  if (next.displayName !== user.displayName) changedFields.push("display_name");
  if (next.locale !== user.locale) changedFields.push("locale");
  if (changedFields.length === 0) return { user, events: [] };
  return {
    user: { ...user, ...next, updateTime: now },
    events: [domainEvent(ProfileUpdatedSchema, user.id, { userId: user.id, changedFields })],
  };
}

export type PasswordChangeMethod = "change" | "reset";

/**
 * Sets a new password hash (check the password with checkPassword before hashing it) and records
 * PasswordChanged. A reset proves control of the mailbox, so it also ends a lockout after failed
 * logins; an admin lock stays. Signing out sessions is the caller's part (reason
 * "password_changed").
 */
export function changePassword(
  user: User,
  passwordHash: string,
  method: PasswordChangeMethod,
  now: Date,
): UserChange {
  assertActive(user);
  const reset = method === "reset";
  const endLockout = reset && user.lock !== null && user.lock.until !== null;
  return {
    user: {
      ...user,
      passwordHash,
      lock: endLockout ? null : user.lock,
      failedLogins: reset ? 0 : user.failedLogins,
      failedLoginsSince: reset ? null : user.failedLoginsSince,
      updateTime: now,
    },
    events: [domainEvent(PasswordChangedSchema, user.id, { userId: user.id, method })],
  };
}

/**
 * Replaces the stored hash of the same password with one made with current parameters (after a
 * login where needsRehash said so). Not a password change: no event.
 */
export function upgradePasswordHash(user: User, passwordHash: string): User {
  return { ...user, passwordHash };
}

export interface SetRolesOptions {
  /** The admin making the change. */
  actorId: string;
  /** The request field holding the roles. */
  field?: string;
}

/**
 * Replaces the roles of a user. `roles` are role names ("customer", "admin"); at least one, all
 * known. An admin cannot take the admin role from themselves, so the last admin cannot lock
 * everyone out of administration. Records UserRolesChanged when the set changed.
 */
export function setRoles(
  user: User,
  roles: readonly string[],
  now: Date,
  options: SetRolesOptions,
): UserChange {
  assertActive(user);
  const field = options.field ?? "roles";
  if (roles.length === 0) throw invalid([{ field, description: "must name at least one role" }]);
  const unknown = roles.filter((role) => !isRoleName(role));
  if (unknown.length > 0) {
    throw invalid([{ field, description: `unknown role ${unknown.map((r) => `"${r}"`).join(", ")}` }]);
  }
  const next = sortRoles(roles as RoleName[]);
  if (options.actorId === user.id && user.roles.includes("admin") && !next.includes("admin")) {
    throw failedPrecondition("you cannot remove the admin role from your own account");
  }
  if (next.length === user.roles.length && next.every((role, i) => user.roles[i] === role)) {
    return { user, events: [] };
  }
  const event = domainEvent(UserRolesChangedSchema, user.id, {
    userId: user.id,
    roles: next.map(roleToProto),
    previousRoles: user.roles.map(roleToProto),
  });
  return { user: { ...user, roles: next, updateTime: now }, events: [event] };
}

/** The email a deleted account keeps: unique per id, and .invalid (RFC 2606) can never receive mail. */
export function deletedEmail(userId: string): string {
  return `${userId}@deleted.invalid`;
}

/**
 * Deletes the account (GDPR art. 17): email, name, locale, password, MFA secrets and login
 * history are erased; the id stays so orders and audit entries still point somewhere. Records
 * UserDeleted. Revoking sessions and deleting addresses is the caller's part.
 */
export function deleteUser(user: User, now: Date): UserChange {
  assertActive(user);
  const erased: User = {
    ...user,
    email: deletedEmail(user.id),
    emailVerified: false,
    passwordHash: "",
    displayName: "",
    locale: "",
    roles: [],
    lock: null,
    failedLogins: 0,
    failedLoginsSince: null,
    mfa: { ...MFA_DISABLED, recoveryCodeHashes: [] },
    lastLoginTime: null,
    updateTime: now,
    deleteTime: now,
  };
  return { user: erased, events: [domainEvent(UserDeletedSchema, user.id, { userId: user.id })] };
}
