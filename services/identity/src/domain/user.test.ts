import {
  EmailVerifiedSchema,
  PasswordChangedSchema,
  ProfileUpdatedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserRolesChangedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  changePassword,
  deleteUser,
  registerUser,
  setRoles,
  type User,
  updateProfile,
  validateRegistration,
  verifyEmail,
} from "./user.ts";

const now = new Date("2025-03-01T10:00:00Z");
const later = new Date("2025-03-01T11:00:00Z");

function newUser(overrides: Partial<User> = {}): User {
  const { user } = registerUser({
    id: "0195f0a0-0000-7000-8000-000000000001",
    email: "ann@example.com",
    displayName: "Ann",
    locale: "en",
    passwordHash: "$argon2id$fake",
    now,
  });
  return { ...user, ...overrides };
}

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("validateRegistration", () => {
  it("normalises email, display name and locale", () => {
    expect(
      validateRegistration({
        email: " Ann@Example.com",
        password: "a good long secret",
        displayName: " Ann  Lee ",
        locale: "de-ch",
      }),
    ).toEqual({
      email: "ann@example.com",
      password: "a good long secret",
      displayName: "Ann Lee",
      locale: "de-CH",
    });
  });

  it("defaults the display name to the email's name part", () => {
    expect(
      validateRegistration({
        email: "ann@example.com",
        password: "a good long secret",
        displayName: "",
        locale: "",
      }),
    ).toMatchObject({ displayName: "ann", locale: "" });
  });

  it("reports every bad field at once", () => {
    const error = caught(() =>
      validateRegistration({
        email: "nope",
        password: "short",
        displayName: "x".repeat(101),
        locale: "no_such",
      }),
    );
    expect(error.kind).toBe("invalid");
    expect(error.violations.map((v) => v.field)).toEqual(["email", "password", "displayName", "locale"]);
  });

  it("does not ask for the optional display name when a malformed email gives no default", () => {
    const error = caught(() =>
      validateRegistration({ email: "nope", password: "a good long secret", displayName: "", locale: "" }),
    );
    expect(error.violations.map((v) => v.field)).toEqual(["email"]);
  });

  it("refuses the email as password", () => {
    const error = caught(() =>
      validateRegistration({
        email: "someone.long@example.com",
        password: "someone.long@example.com",
        displayName: "",
        locale: "",
      }),
    );
    expect(error.violations).toEqual([{ field: "password", description: "must not be your email address" }]);
  });
});

describe("registerUser", () => {
  it("creates a customer and records UserRegistered", () => {
    const { user, events } = registerUser({
      id: "u1",
      email: "ann@example.com",
      displayName: "Ann",
      locale: "en",
      passwordHash: "h",
      now,
    });
    expect(user).toMatchObject({ roles: ["customer"], emailVerified: false, lock: null, deleteTime: null });
    expect(user.mfa.status).toBe("disabled");
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe(UserRegisteredSchema);
    expect(events[0]?.subject).toBe("u1");
    expect(events[0]?.data).toMatchObject({
      userId: "u1",
      email: "ann@example.com",
      displayName: "Ann",
      locale: "en",
    });
  });

  it("takes given roles for seeded accounts", () => {
    expect(
      registerUser({
        id: "a",
        email: "a@b.co",
        displayName: "A",
        locale: "",
        passwordHash: "h",
        roles: ["admin"],
        now,
      }).user.roles,
    ).toEqual(["admin"]);
  });
});

describe("verifyEmail", () => {
  it("marks the email verified once and records EmailVerified", () => {
    const first = verifyEmail(newUser(), later);
    expect(first.user.emailVerified).toBe(true);
    expect(first.events.map((e) => e.type)).toEqual([EmailVerifiedSchema]);
    expect(verifyEmail(first.user, later).events).toEqual([]);
  });
});

describe("updateProfile", () => {
  it("writes only the masked fields and names the changed ones", () => {
    const { user, events } = updateProfile(
      newUser(),
      { displayName: " Ann  Lee ", locale: "fr" },
      ["display_name"],
      later,
    );
    expect(user).toMatchObject({ displayName: "Ann Lee", locale: "en", updateTime: later });
    expect(events[0]?.type).toBe(ProfileUpdatedSchema);
    expect(events[0]?.data).toMatchObject({ changedFields: ["display_name"] });
  });

  it("writes every writable field for an empty mask", () => {
    const { user } = updateProfile(newUser(), { displayName: "Annie", locale: "de-at" }, [], later);
    expect(user).toMatchObject({ displayName: "Annie", locale: "de-AT" });
  });

  it("records nothing when the values are the same", () => {
    const before = newUser();
    const { user, events } = updateProfile(before, { displayName: "Ann", locale: "en" }, [], later);
    expect(events).toEqual([]);
    expect(user).toBe(before);
  });

  it("rejects read-only paths on updateMask", () => {
    const error = caught(() => updateProfile(newUser(), {}, ["email"], later));
    expect(error.violations).toEqual([
      { field: "updateMask", description: expect.stringContaining('"email"') },
    ]);
  });

  it("names bad values by their request path and changes nothing", () => {
    const before = newUser();
    const error = caught(() => updateProfile(before, { displayName: "", locale: "xx_YY" }, [], later));
    expect(error.violations.map((v) => v.field)).toEqual(["user.displayName", "user.locale"]);
    expect(before.displayName).toBe("Ann");
  });
});

describe("changePassword", () => {
  it("sets the hash and records PasswordChanged with the method", () => {
    const { user, events } = changePassword(newUser(), "$argon2id$new", "change", later);
    expect(user.passwordHash).toBe("$argon2id$new");
    expect(events[0]?.type).toBe(PasswordChangedSchema);
    expect(events[0]?.data).toMatchObject({ method: "change" });
  });

  it("ends a lockout on reset but keeps an admin lock", () => {
    const lockedOut = newUser({ lock: { reason: "too many", until: later, since: now }, failedLogins: 3 });
    expect(changePassword(lockedOut, "h2", "reset", now).user).toMatchObject({ lock: null, failedLogins: 0 });
    const adminLocked = newUser({ lock: { reason: "fraud", until: null, since: now } });
    expect(changePassword(adminLocked, "h2", "reset", now).user.lock?.reason).toBe("fraud");
  });
});

describe("setRoles", () => {
  const admin = newUser({ id: "admin-1", roles: ["admin"] });

  it("replaces roles and records old and new as proto roles", () => {
    const { user, events } = setRoles(newUser(), ["support", "customer"], later, { actorId: admin.id });
    expect(user.roles).toEqual(["customer", "support"]);
    expect(events[0]?.type).toBe(UserRolesChangedSchema);
    expect(events[0]?.data).toMatchObject({
      roles: [Role.CUSTOMER, Role.SUPPORT],
      previousRoles: [Role.CUSTOMER],
    });
  });

  it("requires at least one known role", () => {
    expect(caught(() => setRoles(newUser(), [], later, { actorId: admin.id })).violations[0]?.field).toBe(
      "roles",
    );
    expect(
      caught(() => setRoles(newUser(), ["root"], later, { actorId: admin.id })).violations[0]?.description,
    ).toContain('"root"');
  });

  it("stops an admin from removing their own admin role", () => {
    const error = caught(() => setRoles(admin, ["customer"], later, { actorId: admin.id }));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("INVALID_STATE");
    expect(setRoles(admin, ["admin", "support"], later, { actorId: admin.id }).user.roles).toEqual([
      "support",
      "admin",
    ]);
  });

  it("lets an admin remove another admin's role", () => {
    const other = newUser({ id: "admin-2", roles: ["admin"] });
    expect(setRoles(other, ["customer"], later, { actorId: admin.id }).user.roles).toEqual(["customer"]);
  });

  it("records nothing when the set is unchanged", () => {
    expect(setRoles(newUser(), ["customer", "customer"], later, { actorId: admin.id }).events).toEqual([]);
  });
});

describe("deleteUser", () => {
  it("erases personal data, keeps the id and records UserDeleted", () => {
    const before = newUser({
      emailVerified: true,
      lastLoginTime: now,
      mfa: { status: "enabled", totpSecret: "SECRET", recoveryCodeHashes: ["h"], lastTotpStep: 1 },
    });
    const { user, events } = deleteUser(before, later);
    expect(user.id).toBe(before.id);
    expect(user.email).toBe(`${before.id}@deleted.invalid`);
    expect(user).toMatchObject({
      displayName: "",
      locale: "",
      passwordHash: "",
      roles: [],
      lastLoginTime: null,
      deleteTime: later,
    });
    expect(user.mfa).toEqual({
      status: "disabled",
      totpSecret: null,
      recoveryCodeHashes: [],
      lastTotpStep: null,
    });
    expect(events.map((e) => e.type)).toEqual([UserDeletedSchema]);
  });

  it("treats a deleted account as not found afterwards", () => {
    const { user } = deleteUser(newUser(), later);
    expect(caught(() => deleteUser(user, later)).kind).toBe("not_found");
    expect(caught(() => updateProfile(user, { displayName: "x" }, [], later)).kind).toBe("not_found");
  });
});
