import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The kinds of opaque tokens identity hands out. */
export type TokenKind = "refresh" | "email_verification" | "password_reset";

/**
 * Each kind's prefix: tells a human (and a secret scanner) what a leaked token is, and lets a
 * handler refuse a token of the wrong kind before any lookup.
 */
export const TOKEN_PREFIXES: Readonly<Record<TokenKind, string>> = Object.freeze({
  refresh: "rt_",
  email_verification: "ev_",
  password_reset: "pr_",
});

const TOKEN_BYTES = 32;
// 32 bytes in base64url without padding.
const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/;

export interface GeneratedToken {
  /** Hand this to the client; never store it. */
  token: string;
  /** Store this (hashToken(token)). */
  hash: string;
}

/**
 * A new opaque token: the kind's prefix and 32 random bytes in base64url, with its hash.
 *
 * @example
 * const { token, hash } = generateToken("refresh"); // token "rt_q3X…", hash hex SHA-256
 */
export function generateToken(kind: TokenKind): GeneratedToken {
  const token = `${TOKEN_PREFIXES[kind]}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
  return { token, hash: hashToken(token) };
}

/**
 * The stored form of a token: hex SHA-256. A fast hash is right here, unlike for passwords: the
 * tokens carry 256 random bits, so a leaked table of hashes cannot be guessed back.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The kind of a well-formed token, or undefined for anything else (wrong prefix, length or alphabet). */
export function tokenKind(token: string): TokenKind | undefined {
  for (const [kind, prefix] of Object.entries(TOKEN_PREFIXES) as [TokenKind, string][]) {
    if (token.startsWith(prefix) && TOKEN_BODY.test(token.slice(prefix.length))) return kind;
  }
  return undefined;
}

/**
 * Compares two secrets in time independent of where they differ. Both are hashed first so that
 * inputs of different lengths compare in constant time too.
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}
