import { randomBytes } from "node:crypto";

/** RFC 4648 base32: upper-case letters and 2-7, nothing a person confuses (no 0/O, 1/I). */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** Random characters after the prefix: 12 × 5 = 60 bits, so tracking numbers cannot be guessed. */
export const TRACKING_RANDOM_LENGTH = 12;

/**
 * A new tracking number: the carrier's prefix and 12 random base32 characters, e.g.
 * "SIM4KQ7ZP2MX9AB". 60 random bits make a collision practically impossible (the unique
 * constraint in the store is the last line of defence) and a customer's number useless for
 * guessing another's.
 */
export function newTrackingNumber(prefix: string): string {
  // 256 is a multiple of 32, so masking each byte keeps every character equally likely.
  const bytes = randomBytes(TRACKING_RANDOM_LENGTH);
  let out = prefix;
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}

/** True when `value` looks like a tracking number of `prefix` (for cheap rejection of junk). */
export function isTrackingNumber(value: string, prefix: string): boolean {
  if (!value.startsWith(prefix) || value.length !== prefix.length + TRACKING_RANDOM_LENGTH) return false;
  for (const char of value.slice(prefix.length)) if (!BASE32.includes(char)) return false;
  return true;
}
