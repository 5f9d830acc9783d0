import { MfaDisabledSchema, MfaEnabledSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import { confirmTotp, disableTotp, replaceRecoveryCodes, startTotpEnrollment } from "./mfa.ts";
import { registerUser, type User } from "./user.ts";

const t0 = new Date("2025-03-01T10:00:00Z");

function newUser(): User {
  return registerUser({
    id: "u1",
    email: "ann@example.com",
    displayName: "Ann",
    locale: "",
    passwordHash: "h",
    now: t0,
  }).user;
}

function enrolled(): User {
  const pending = startTotpEnrollment(newUser(), "SECRET", t0).user;
  return confirmTotp(pending, { timeStep: 10, recoveryCodeHashes: ["a", "b"] }, t0).user;
}

describe("TOTP enrolment", () => {
  it("keeps a new secret pending until confirmed", () => {
    const { user, events } = startTotpEnrollment(newUser(), "SECRET", t0);
    expect(user.mfa).toEqual({
      status: "pending",
      totpSecret: "SECRET",
      recoveryCodeHashes: [],
      lastTotpStep: null,
    });
    expect(events).toEqual([]);
  });

  it("turns MFA on at confirmation with the recovery codes and records MfaEnabled", () => {
    const pending = startTotpEnrollment(newUser(), "SECRET", t0).user;
    const { user, events } = confirmTotp(pending, { timeStep: 10, recoveryCodeHashes: ["a", "b"] }, t0);
    expect(user.mfa).toEqual({
      status: "enabled",
      totpSecret: "SECRET",
      recoveryCodeHashes: ["a", "b"],
      lastTotpStep: 10,
    });
    expect(events.map((e) => e.type)).toEqual([MfaEnabledSchema]);
  });

  it("refuses to confirm without a pending enrolment", () => {
    expect(() => confirmTotp(newUser(), { timeStep: 1, recoveryCodeHashes: [] }, t0)).toThrow(
      expect.objectContaining({ kind: "failed_precondition" }),
    );
  });

  it("refuses a new enrolment while MFA is on", () => {
    expect(() => startTotpEnrollment(enrolled(), "OTHER", t0)).toThrow(
      expect.objectContaining({ kind: "failed_precondition" }),
    );
  });

  it("replaces the secret of a pending enrolment", () => {
    const again = startTotpEnrollment(startTotpEnrollment(newUser(), "ONE", t0).user, "TWO", t0).user;
    expect(again.mfa.totpSecret).toBe("TWO");
  });
});

describe("disableTotp", () => {
  it("forgets secret and codes and records MfaDisabled", () => {
    const { user, events } = disableTotp(enrolled(), t0);
    expect(user.mfa).toEqual({
      status: "disabled",
      totpSecret: null,
      recoveryCodeHashes: [],
      lastTotpStep: null,
    });
    expect(events.map((e) => e.type)).toEqual([MfaDisabledSchema]);
  });

  it("cancels a pending enrolment without an event and is a no-op when off", () => {
    const pending = startTotpEnrollment(newUser(), "S", t0).user;
    expect(disableTotp(pending, t0)).toMatchObject({ user: { mfa: { status: "disabled" } }, events: [] });
    const off = newUser();
    expect(disableTotp(off, t0).user).toBe(off);
  });
});

describe("replaceRecoveryCodes", () => {
  it("replaces the codes and uses up the TOTP step", () => {
    const { user } = replaceRecoveryCodes(enrolled(), { timeStep: 11, recoveryCodeHashes: ["c"] }, t0);
    expect(user.mfa).toMatchObject({ recoveryCodeHashes: ["c"], lastTotpStep: 11 });
  });

  it("refuses a TOTP step already used", () => {
    expect(() => replaceRecoveryCodes(enrolled(), { timeStep: 10, recoveryCodeHashes: ["c"] }, t0)).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: "code" })] }),
    );
  });

  it("refuses without MFA on", () => {
    expect(() => replaceRecoveryCodes(newUser(), { timeStep: 1, recoveryCodeHashes: [] }, t0)).toThrow(
      expect.objectContaining({ kind: "failed_precondition" }),
    );
  });
});
