import { DomainError, failedPrecondition, invalidField } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  checkIdempotencyKey,
  type IdempotencyRecord,
  isFinalError,
  providerIdempotencyKey,
  replay,
  requestFingerprint,
  restoreError,
  storeError,
} from "./idempotency.ts";

describe("checkIdempotencyKey", () => {
  it("accepts 1-255 printable characters", () => {
    expect(checkIdempotencyKey("order-1:authorize")).toEqual([]);
    expect(checkIdempotencyKey("a b ü €")).toEqual([]);
    expect(checkIdempotencyKey("k".repeat(255))).toEqual([]);
  });

  it("names empty, long and unprintable keys", () => {
    expect(checkIdempotencyKey("")).toEqual([{ field: "idempotencyKey", description: "is required" }]);
    expect(checkIdempotencyKey("k".repeat(256))[0]?.description).toMatch(/at most 255/);
    expect(checkIdempotencyKey("a\nb")[0]?.description).toMatch(/printable/);
    expect(checkIdempotencyKey("a\u0000b")[0]?.description).toMatch(/printable/);
  });
});

describe("requestFingerprint", () => {
  it("is the same for the same parameters in any order", () => {
    expect(requestFingerprint("M", { a: "1", b: 2n })).toBe(requestFingerprint("M", { b: 2n, a: "1" }));
  });

  it("differs by method, by value, by type and between unset and empty", () => {
    const base = requestFingerprint("M", { a: "1" });
    expect(requestFingerprint("N", { a: "1" })).not.toBe(base);
    expect(requestFingerprint("M", { a: "2" })).not.toBe(base);
    expect(requestFingerprint("M", { a: 1n })).not.toBe(base);
    expect(requestFingerprint("M", { a: undefined })).not.toBe(requestFingerprint("M", { a: "" }));
  });

  it("keeps no parameter readable", () => {
    const fingerprint = requestFingerprint("AuthorizePayment", { paymentToken: "tok_sandbox_visa" });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain("tok_");
  });
});

describe("replay", () => {
  const record: IdempotencyRecord = {
    method: "CapturePayment",
    key: "k",
    fingerprint: "f1",
    outcome: { kind: "response", response: new Uint8Array([1, 2]) },
    paymentIntentId: undefined,
    createTime: new Date(),
  };

  it("answers the kept outcome for the same request", () => {
    expect(replay(record, "f1")).toBe(record.outcome);
  });

  it("refuses a different request with IDEMPOTENCY_KEY_REUSED", () => {
    expect(() => replay(record, "f2")).toThrow(
      expect.objectContaining({ kind: "failed_precondition", reason: "IDEMPOTENCY_KEY_REUSED" }),
    );
  });
});

describe("kept errors", () => {
  it("keep final errors and restore them with kind, reason, metadata and violations", () => {
    const declined = failedPrecondition("declined", "PAYMENT_DECLINED", { decline_code: "card_declined" });
    const restored = restoreError(JSON.parse(JSON.stringify(storeError(declined))));
    expect(restored).toBeInstanceOf(DomainError);
    expect(restored).toMatchObject({
      kind: "failed_precondition",
      message: "declined",
      reason: "PAYMENT_DECLINED",
      metadata: { decline_code: "card_declined" },
    });
    const invalid = restoreError(storeError(invalidField("amount.amountMinor", "too much")));
    expect(invalid.violations).toEqual([{ field: "amount.amountMinor", description: "too much" }]);
  });

  it("never keep transient failures", () => {
    expect(isFinalError(failedPrecondition("no"))).toBe(true);
    expect(isFinalError(new DomainError("unavailable", "processor down"))).toBe(false);
    expect(isFinalError(new DomainError("conflict", "lost a race"))).toBe(false);
    expect(isFinalError(new Error("database gone"))).toBe(false);
  });
});

describe("providerIdempotencyKey", () => {
  it("is stable per (method, key), differs between them, and hides the caller's key", () => {
    const key = providerIdempotencyKey("AuthorizePayment", "order-1");
    expect(providerIdempotencyKey("AuthorizePayment", "order-1")).toBe(key);
    expect(providerIdempotencyKey("CapturePayment", "order-1")).not.toBe(key);
    expect(key).not.toContain("order-1");
  });
});
