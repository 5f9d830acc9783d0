import { describe, expect, it } from "vitest";
import {
  DomainError,
  failedPrecondition,
  invalid,
  isDomainError,
  notFound,
  staleVersion,
  throwIfInvalid,
} from "./domain-error.ts";

describe("DomainError", () => {
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

  it("tags failures with a shopmesh error reason by name, INVALID_STATE by default", () => {
    expect(failedPrecondition("no")).toMatchObject({ kind: "failed_precondition", reason: "INVALID_STATE" });
    expect(failedPrecondition("short", "OUT_OF_STOCK", { skus: "A,B" })).toMatchObject({
      reason: "OUT_OF_STOCK",
      metadata: { skus: "A,B" },
    });
    expect(staleVersion("old")).toMatchObject({ kind: "conflict", reason: "STALE_VERSION" });
  });

  it("recognises domain errors by kind", () => {
    expect(isDomainError(notFound("x"), "not_found")).toBe(true);
    expect(isDomainError(notFound("x"), "invalid")).toBe(false);
    expect(isDomainError(new Error("x"))).toBe(false);
  });
});
