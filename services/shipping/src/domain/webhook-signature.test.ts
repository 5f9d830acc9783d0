import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { parseSignature, signWebhook, verifyWebhookSignature, webhookDigest } from "./webhook-signature.ts";

const SECRET = "whsec-test-secret-0123456789";
const BODY = '{"id":"evt_1","type":"shipment.status"}';
const payload = new TextEncoder().encode(BODY);
const NOW = new Date("2026-03-01T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);

function rejected(signature: string, options: { now?: Date; secret?: string; body?: Uint8Array } = {}) {
  try {
    verifyWebhookSignature({
      signature,
      payload: options.body ?? payload,
      secret: options.secret ?? SECRET,
      now: options.now ?? NOW,
    });
  } catch (error) {
    expect(isDomainError(error, "unauthenticated")).toBe(true);
    return error as Error & { reason?: string };
  }
  throw new Error("the signature should have been refused");
}

describe("signWebhook", () => {
  it("signs '<t>.<payload>' with HMAC-SHA256, as hex", async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex");
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    expect(webhookDigest(SECRET, T, payload)).toBe(expected);
  });
});

describe("verifyWebhookSignature", () => {
  it("accepts a fresh signature of the exact bytes and returns its timestamp", () => {
    expect(
      verifyWebhookSignature({
        signature: signWebhook(SECRET, payload, T),
        payload,
        secret: SECRET,
        now: NOW,
      }),
    ).toBe(T);
  });

  it("accepts signatures up to 300 s old or ahead", () => {
    for (const skew of [-300, 300]) {
      const signature = signWebhook(SECRET, payload, T + skew);
      expect(verifyWebhookSignature({ signature, payload, secret: SECRET, now: NOW })).toBe(T + skew);
    }
  });

  it("refuses stale and future signatures with WEBHOOK_SIGNATURE_INVALID", () => {
    expect(rejected(signWebhook(SECRET, payload, T - 301)).reason).toBe("WEBHOOK_SIGNATURE_INVALID");
    expect(rejected(signWebhook(SECRET, payload, T + 301)).reason).toBe("WEBHOOK_SIGNATURE_INVALID");
  });

  it("refuses another secret, a changed body and a changed timestamp", () => {
    expect(rejected(signWebhook("another-secret-0123456789", payload, T)).message).toMatch(/does not match/);
    expect(
      rejected(signWebhook(SECRET, payload, T), { body: new TextEncoder().encode(`${BODY} `) }).reason,
    ).toBe("WEBHOOK_SIGNATURE_INVALID");
    const digest = webhookDigest(SECRET, T, payload);
    expect(rejected(`t=${T - 1},v1=${digest}`).message).toMatch(/does not match/);
  });

  it("refuses malformed headers", () => {
    for (const header of ["", "garbage", `t=${T}`, "v1=abc", `t=abc,v1=${"0".repeat(64)}`, `t=${T},v1=xyz`]) {
      expect(rejected(header).message).toMatch(/malformed/);
    }
  });

  it("accepts any of several v1 digests (a carrier rotating its secret)", () => {
    const old = webhookDigest("the-old-secret-0123456789", T, payload);
    const current = webhookDigest(SECRET, T, payload);
    expect(
      verifyWebhookSignature({
        signature: `t=${T},v1=${old},v1=${current}`,
        payload,
        secret: SECRET,
        now: NOW,
      }),
    ).toBe(T);
  });
});

describe("parseSignature", () => {
  it("reads t and the v1 digests, ignoring other schemes and spaces", () => {
    const digest = "a".repeat(64);
    expect(parseSignature(`t=${T}, v0=zzz, v1=${digest.toUpperCase()}`)).toEqual({
      timestamp: T,
      digests: [digest],
    });
    expect(parseSignature(`t=1,t=2,v1=${digest}`)).toBeUndefined();
  });
});
