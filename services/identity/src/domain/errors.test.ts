import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { emailTaken, invalidCredentials, tokenInvalid } from "./errors.ts";

describe("identity errors", () => {
  it("tags failures with the shopmesh error reason", () => {
    expect(invalidCredentials()).toMatchObject({
      kind: "unauthenticated",
      reason: "INVALID_CREDENTIALS",
    });
    expect(tokenInvalid()).toMatchObject({ kind: "unauthenticated", reason: "TOKEN_INVALID" });
    expect(emailTaken()).toMatchObject({ kind: "already_exists", reason: "EMAIL_TAKEN" });
  });

  it("never says which credential was wrong", () => {
    expect(invalidCredentials().message).toBe("invalid email, password or code");
    expect(isDomainError(invalidCredentials(), "unauthenticated")).toBe(true);
  });
});
