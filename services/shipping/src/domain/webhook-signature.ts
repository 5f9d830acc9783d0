import { createHmac, timingSafeEqual } from "node:crypto";
import { unauthenticated } from "@shopmesh/kit/errors";

/**
 * Webhook signatures (shipping.proto HandleCarrierWebhook): the header value is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" with the carrier's secret>`. The
 * timestamp is signed with the body, so a captured request cannot be replayed later than the
 * tolerance; within it, the event id (checked by the caller) catches replays.
 *
 * Pure helpers: the carrier (or a test) signs with signWebhook, shipping verifies with
 * verifyWebhookSignature.
 */

/** How far the signed timestamp may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The HMAC of one payload at one timestamp, in lower-case hex. */
export function webhookDigest(secret: string, timestamp: number, payload: Uint8Array | string): string {
  return createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(typeof payload === "string" ? Buffer.from(payload, "utf8") : payload)
    .digest("hex");
}

/**
 * The signature header value for `payload` signed at `timestamp` (unix seconds, default now).
 *
 * @example
 * const body = JSON.stringify({ id: "evt_1", type: "shipment.status", data: {...}, created: 1700000000 });
 * fetch(url, { method: "POST", body, headers: { "webhook-signature": signWebhook(secret, body) } });
 */
export function signWebhook(
  secret: string,
  payload: Uint8Array | string,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${webhookDigest(secret, timestamp, payload)}`;
}

export interface VerifyWebhookOptions {
  /** The signature header's value. */
  signature: string;
  /** The raw body, byte for byte as received. */
  payload: Uint8Array;
  secret: string;
  /** Default: the clock. */
  now?: Date;
  /** Default WEBHOOK_TOLERANCE_SECONDS. */
  toleranceSeconds?: number;
}

/**
 * Checks a webhook's signature: well-formed, its timestamp within the tolerance of now, and one
 * of its v1 digests (several are allowed while a carrier rotates secrets) equal to ours,
 * compared in constant time. Throws UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID otherwise;
 * returns the signed timestamp.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): number {
  const parsed = parseSignature(options.signature);
  if (!parsed) throw signatureInvalid("the signature header is malformed");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) {
    throw signatureInvalid(`the signature's timestamp is more than ${tolerance} s from now`);
  }
  const expected = Buffer.from(webhookDigest(options.secret, parsed.timestamp, options.payload), "hex");
  const matches = parsed.digests.some((digest) => {
    const given = Buffer.from(digest, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw signatureInvalid("the signature does not match the payload");
  return parsed.timestamp;
}

/** `t` and the v1 digests of a header; undefined when it has no valid `t` or no v1. */
export function parseSignature(header: string): { timestamp: number; digests: string[] } | undefined {
  let timestamp: number | undefined;
  const digests: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) {
      digests.push(value.toLowerCase());
    }
  }
  return timestamp === undefined || digests.length === 0 ? undefined : { timestamp, digests };
}

function signatureInvalid(message: string) {
  return unauthenticated(`webhook signature invalid: ${message}`, "WEBHOOK_SIGNATURE_INVALID");
}
