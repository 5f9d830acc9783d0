import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, safeEqual, tokenKind } from "./tokens.ts";

describe("opaque tokens", () => {
  it("prefixes each kind and carries 32 random bytes in base64url", () => {
    const refresh = generateToken("refresh").token;
    expect(refresh).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(refresh.slice(3), "base64url")).toHaveLength(32);
    expect(generateToken("email_verification").token.startsWith("ev_")).toBe(true);
    expect(generateToken("password_reset").token.startsWith("pr_")).toBe(true);
    expect(generateToken("refresh").token).not.toBe(refresh);
  });

  it("returns the SHA-256 hash to store, never the token", () => {
    const { token, hash } = generateToken("refresh");
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashToken(token)).toBe(hash);
    expect(hash).not.toContain(token.slice(3));
  });

  it("tells the kind of well-formed tokens only", () => {
    expect(tokenKind(generateToken("password_reset").token)).toBe("password_reset");
    expect(tokenKind("rt_short")).toBeUndefined();
    expect(tokenKind(`xx_${"a".repeat(43)}`)).toBeUndefined();
    expect(tokenKind(`rt_${"a".repeat(42)}!`)).toBeUndefined();
  });

  it("compares secrets of any length", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
