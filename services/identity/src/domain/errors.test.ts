import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { describe, expect, it } from "vitest";
import {
  DomainError,
  emailTaken,
  invalid,
  invalidCredentials,
  isDomainError,
  throwIfInvalid,
} from "./errors.ts";

describe("domain errors", () => {
  it("carries every violation and joins them in the message", () => {
    const error = invalid([
      { field: "email", description: "is required" },
      { field: "password", description: "must be at least 10 characters" },
    ]);
    expect(error.kind).toBe("invalid");
    expect(error.violations).toHaveLength(2);
    expect(error.message).toBe("email: is required; password: must be at least 10 characters");
  });

  it("throws only when there are violations", () => {
    expect(() => throwIfInvalid([])).not.toThrow();
    expect(() => throwIfInvalid([{ field: "locale", description: "bad" }])).toThrow(DomainError);
  });

  it("tags failures with the shopmesh error reason", () => {
    expect(invalidCredentials()).toMatchObject({
      kind: "unauthenticated",
      reason: ErrorReason.INVALID_CREDENTIALS,
    });
    expect(emailTaken()).toMatchObject({ kind: "already_exists", reason: ErrorReason.EMAIL_TAKEN });
  });

  it("recognises domain errors by kind", () => {
    expect(isDomainError(invalidCredentials(), "unauthenticated")).toBe(true);
    expect(isDomainError(invalidCredentials(), "invalid")).toBe(false);
    expect(isDomainError(new Error("x"))).toBe(false);
  });
});
