import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.ts";

describe("secret box", () => {
  const key = randomBytes(32).toString("base64");

  it("seals and opens a secret; sealing twice gives different ciphertexts", () => {
    const box = createSecretBox(key);
    const a = box.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    const b = box.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    expect(a).not.toContain("JBSWY3DP");
    expect(a).not.toBe(b);
    expect(box.open(a)).toBe("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    expect(box.usesDevelopmentKey).toBe(false);
  });

  it("refuses a tampered value", () => {
    const box = createSecretBox(key);
    const sealed = box.seal("secret");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[4] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow(/altered/);
  });

  it("opens only with the context it was sealed for", () => {
    const box = createSecretBox(key);
    const sealed = box.seal("secret", "user-1");
    expect(box.open(sealed, "user-1")).toBe("secret");
    expect(() => box.open(sealed, "user-2")).toThrow();
  });

  it("says so when a value was sealed with another key", () => {
    const sealed = createSecretBox(key).seal("secret");
    expect(() => createSecretBox(randomBytes(32).toString("base64")).open(sealed)).toThrow(/another key/);
  });

  it("works without a configured key, using the development key", () => {
    const box = createSecretBox(undefined);
    expect(box.usesDevelopmentKey).toBe(true);
    expect(createSecretBox("").open(box.seal("local"))).toBe("local");
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => createSecretBox(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });

  it("refuses values that are not sealed secrets", () => {
    expect(() => createSecretBox(key).open("plain text")).toThrow(/not a sealed secret/);
  });
});
