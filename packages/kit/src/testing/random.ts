import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `length` random lower-case letters and digits. */
export function randomToken(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * What `testPrefix()` returns: "t" and 7 lower-case letters or digits. Leftover finders match
 * names against it (streams `<PREFIX>_*` upper-cased, Redis keys `<prefix>:*`), so that nothing
 * but test data is ever deleted.
 */
export const TEST_PREFIX_PATTERN = /^t[a-z0-9]{7}$/;

/**
 * A prefix that isolates one test file's NATS subjects and streams (EVENTS_PREFIX) and Redis keys:
 * "t" and 7 random letters or digits, e.g. "t3f9a1cx".
 */
export function testPrefix(): string {
  return `t${randomToken(7)}`;
}
