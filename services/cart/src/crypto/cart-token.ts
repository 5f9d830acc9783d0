import { createHash, randomBytes } from "node:crypto";

/**
 * Guest cart tokens: the only key to a guest's cart, so whoever holds one owns the cart. The
 * prefix tells a human (and a secret scanner) what a leaked token is.
 */
const PREFIX = "ct_";
const TOKEN_BYTES = 32;
// 32 bytes in base64url without padding.
const TOKEN_PATTERN = /^ct_[A-Za-z0-9_-]{43}$/;

/**
 * A new guest cart token: "ct_" and 256 random bits in base64url.
 *
 * @example
 * const token = generateCartToken(); // "ct_Jx0…" (46 characters)
 */
export function generateCartToken(): string {
  return `${PREFIX}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
}

/** True for a well-formed cart token (prefix, length and alphabet), before any lookup. */
export function isCartToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * The form a token is stored under: hex SHA-256, so a dump of the Redis keys does not hand out
 * the carts. A fast hash is enough for 256 random bits.
 */
export function hashCartToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
