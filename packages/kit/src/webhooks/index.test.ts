import { describe, expect, it } from "vitest";
import { parseSignatureHeader, signWebhook, verifyWebhookSignature } from "./index.ts";

const SECRET = "whsec_test_secret_0123456789";
const BODY = '{"id":"evt_1","type":"payment.succeeded","data":{"reference":"pi_1"},"created":1893456000}';
const T = 1_893_456_000;

describe("signWebhook", () => {
  it("signs '<t>.<payload>' with HMAC-SHA256 in the documented header format", () => {
    // Known answer, from: printf '%s' "1893456000.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
    expect(signWebhook(SECRET, BODY, T)).toBe(
      "t=1893456000,v1=95743129d04dcbd7b6f2bf1ae7d38db81c4fb1bb745cb2326c44b915c651dbfa",
    );
    expect(signWebhook(SECRET, new TextEncoder().encode(BODY), T)).toBe(signWebhook(SECRET, BODY, T));
  });
});

describe("verifyWebhookSignature", () => {
  const header = signWebhook(SECRET, BODY, T);

  it("accepts its own signature within the tolerance, either way", () => {
    expect(verifyWebhookSignature(SECRET, BODY, header, T)).toEqual({ valid: true, timestamp: T });
    expect(verifyWebhookSignature(SECRET, BODY, header, T + 300).valid).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, header, T - 300).valid).toBe(true);
  });

  it("refuses a timestamp more than 300 s away", () => {
    expect(verifyWebhookSignature(SECRET, BODY, header, T + 301)).toEqual({
      valid: false,
      problem: "outside_tolerance",
    });
    expect(verifyWebhookSignature(SECRET, BODY, header, T - 301).valid).toBe(false);
  });

  it("refuses another payload, another secret, or a re-dated signature", () => {
    expect(verifyWebhookSignature(SECRET, `${BODY} `, header, T)).toEqual({
      valid: false,
      problem: "mismatch",
    });
    expect(verifyWebhookSignature("another_secret_0123456", BODY, header, T).valid).toBe(false);
    const redated = header.replace(`t=${T}`, `t=${T + 10}`);
    expect(verifyWebhookSignature(SECRET, BODY, redated, T + 10)).toEqual({
      valid: false,
      problem: "mismatch",
    });
  });

  it("accepts any of several v1 signatures (a provider rolling its secret)", () => {
    const old = signWebhook("old_secret_0123456789", BODY, T).split(",")[1];
    expect(verifyWebhookSignature(SECRET, BODY, `${header},${old}`, T).valid).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, `t=${T},${old}`, T).valid).toBe(false);
  });

  it("refuses malformed headers", () => {
    for (const bad of [
      "",
      "garbage",
      `t=${T}`,
      "v1=ab",
      `t=x,${header.split(",")[1]}`,
      `t=1,t=2,v1=${"a".repeat(64)}`,
      `t=${T},v1=zz`,
    ]) {
      expect(verifyWebhookSignature(SECRET, BODY, bad, T)).toEqual({ valid: false, problem: "malformed" });
    }
  });
});

describe("parseSignatureHeader", () => {
  it("skips schemes it does not know", () => {
    expect(parseSignatureHeader(`t=5, v0=old, v1=${"A".repeat(64)}`)).toEqual({
      timestamp: 5,
      timestampText: "5",
      signatures: ["a".repeat(64)],
    });
  });
});
