import { createHmac, timingSafeEqual } from "node:crypto";
import { type DomainError, unauthenticated } from "../errors/domain-error.ts";

/**
 * Webhook signatures, as shopmesh's payment providers and carriers send them (payment
 * HandleProviderWebhook, shipping HandleCarrierWebhook): the header
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>">` keyed with the sender's webhook
 * secret. The timestamp is signed too, so an old webhook cannot be replayed with a fresh time, and
 * one outside the tolerance is refused; within it, the receiver's record of event ids catches
 * replays.
 */

/** How far a webhook's timestamp may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * The signature header of `payload` sent at `timestampSeconds`.
 *
 * @example
 * const body = JSON.stringify({ id: "evt_1", type: "payment.succeeded", data: { reference }, created });
 * fetch(url, { method: "POST", body, headers: { "webhook-signature": signWebhook(secret, body, created) } });
 */
export function signWebhook(
  secret: string,
  payload: string | Uint8Array,
  timestampSeconds: number = nowSeconds(),
): string {
  return `t=${timestampSeconds},v1=${hmac(secret, payload, String(timestampSeconds)).toString("hex")}`;
}

export type WebhookSignatureProblem = "malformed" | "outside_tolerance" | "mismatch";

export type WebhookSignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; problem: WebhookSignatureProblem };

/**
 * Checks a signature header against `payload`: well-formed, a timestamp within `toleranceSeconds`
 * of `now` (unix seconds), and one of its v1 signatures (a provider rolling its secret sends two) equal
 * to the expected HMAC, compared in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  payload: string | Uint8Array,
  header: string,
  now: number = nowSeconds(),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookSignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { valid: false, problem: "malformed" };
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) {
    return { valid: false, problem: "outside_tolerance" };
  }
  const expected = hmac(secret, payload, parsed.timestampText);
  const matches = parsed.signatures.some((candidate) => {
    const given = Buffer.from(candidate, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { valid: true, timestamp: parsed.timestamp } : { valid: false, problem: "mismatch" };
}

/** The timestamp and v1 signatures of a header; undefined unless it has exactly one t and a v1. */
export function parseSignatureHeader(
  header: string,
): { timestamp: number; timestampText: string; signatures: string[] } | undefined {
  let timestampText: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) return undefined;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === "t") {
      if (timestampText !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestampText = value;
    } else if (name === "v1") {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      signatures.push(value.toLowerCase());
    }
    // Other schemes (v0, future versions) are skipped, as providers document.
  }
  if (timestampText === undefined || signatures.length === 0) return undefined;
  return { timestamp: Number(timestampText), timestampText, signatures };
}

function hmac(secret: string, payload: string | Uint8Array, timestamp: string): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(payload).digest();
}

const PROBLEMS: Record<WebhookSignatureProblem, string> = {
  malformed: "the header must be t=<unix seconds>,v1=<hex HMAC-SHA256>",
  outside_tolerance: `the timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s away from now`,
  mismatch: "no signature matches the payload",
};

/** UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID, saying what was wrong with the signature. */
export function webhookSignatureInvalid(problem: WebhookSignatureProblem): DomainError {
  return unauthenticated(
    `the webhook signature is invalid: ${PROBLEMS[problem]}`,
    "WEBHOOK_SIGNATURE_INVALID",
  );
}

/** Like verifyWebhookSignature, but throws webhookSignatureInvalid; returns the signed timestamp. */
export function assertWebhookSignature(
  secret: string,
  payload: string | Uint8Array,
  header: string,
  now: number = nowSeconds(),
): number {
  const check = verifyWebhookSignature(secret, payload, header, now);
  if (!check.valid) throw webhookSignatureInvalid(check.problem);
  return check.timestamp;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
