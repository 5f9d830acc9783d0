import { describe, expect, it } from "vitest";
import { generateCartToken, hashCartToken, isCartToken } from "./cart-token.ts";

describe("cart tokens", () => {
  it("are prefixed, 256 random bits and never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateCartToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(token).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(3), "base64url")).toHaveLength(32);
    }
  });

  it("are recognised by their shape before any lookup", () => {
    const token = generateCartToken();
    expect(isCartToken(token)).toBe(true);
    for (const bad of [
      "",
      token.slice(0, -1),
      `rt_${token.slice(3)}`,
      `${token}=`,
      "0196a000-0000-7000-8000-000000000001",
    ]) {
      expect(isCartToken(bad)).toBe(false);
    }
  });

  it("are stored as a SHA-256 hash, not as themselves", () => {
    const token = generateCartToken();
    expect(hashCartToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCartToken(token)).toBe(hashCartToken(token));
    expect(hashCartToken(token)).not.toContain(token.slice(3));
  });
});
