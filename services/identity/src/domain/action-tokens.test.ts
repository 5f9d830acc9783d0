import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type EmailVerificationRequested,
  EmailVerificationRequestedSchema,
  PasswordResetRequestedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import { issueEmailVerification, issuePasswordReset, useActionToken } from "./action-tokens.ts";
import { registerUser, type User } from "./user.ts";

const t0 = new Date("2025-03-01T10:00:00Z");
const hours = (n: number) => new Date(t0.getTime() + n * 3_600_000);

function newUser(overrides: Partial<User> = {}): User {
  const { user } = registerUser({
    id: "u1",
    email: "ann@example.com",
    displayName: "Ann",
    locale: "de",
    passwordHash: "h",
    now: t0,
  });
  return { ...user, ...overrides };
}

describe("issuing action tokens", () => {
  it("issues an email verification token valid for 24 hours, carried by the event", () => {
    const { actionToken, events } = issueEmailVerification(newUser(), {
      token: "ev_raw",
      tokenHash: "hash",
      now: t0,
    });
    expect(actionToken).toEqual({
      hash: "hash",
      kind: "email_verification",
      userId: "u1",
      createTime: t0,
      expireTime: hours(24),
      useTime: null,
    });
    expect(events[0]?.type).toBe(EmailVerificationRequestedSchema);
    const data = events[0]?.data as EmailVerificationRequested;
    expect(data).toMatchObject({
      userId: "u1",
      email: "ann@example.com",
      displayName: "Ann",
      locale: "de",
      token: "ev_raw",
    });
    expect(data.expireTime && timestampDate(data.expireTime)).toEqual(hours(24));
  });

  it("refuses a verification token for a verified email", () => {
    expect(() =>
      issueEmailVerification(newUser({ emailVerified: true }), { token: "t", tokenHash: "h", now: t0 }),
    ).toThrow(expect.objectContaining({ kind: "failed_precondition" }));
  });

  it("issues a password reset token valid for one hour", () => {
    const { actionToken, events } = issuePasswordReset(newUser(), {
      token: "pr_raw",
      tokenHash: "h",
      now: t0,
    });
    expect(actionToken.expireTime).toEqual(hours(1));
    expect(events[0]?.type).toBe(PasswordResetRequestedSchema);
  });
});

describe("useActionToken", () => {
  const { actionToken } = issuePasswordReset(newUser(), { token: "pr_raw", tokenHash: "h", now: t0 });

  it("marks a valid token used", () => {
    expect(useActionToken(actionToken, "password_reset", hours(0.5)).useTime).toEqual(hours(0.5));
  });

  it.each([
    ["unknown", undefined, "password_reset", hours(0.5)],
    ["of another kind", actionToken, "email_verification", hours(0.5)],
    ["expired", actionToken, "password_reset", hours(1)],
    ["used", { ...actionToken, useTime: t0 }, "password_reset", hours(0.5)],
  ] as const)("refuses a token that is %s with TOKEN_INVALID", (_, token, kind, now) => {
    expect(() => useActionToken(token, kind, now)).toThrow(
      expect.objectContaining({ kind: "unauthenticated", reason: "TOKEN_INVALID" }),
    );
  });
});
