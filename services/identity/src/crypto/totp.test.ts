import { describe, expect, it } from "vitest";
import {
  findRecoveryCode,
  generateRecoveryCodes,
  generateTotpCode,
  generateTotpSecret,
  hashRecoveryCode,
  totpUri,
  verifyTotp,
} from "./totp.ts";

const now = new Date("2025-03-01T10:00:10Z");
const seconds = (n: number) => new Date(now.getTime() + n * 1000);

describe("TOTP", () => {
  const secret = generateTotpSecret();

  it("makes a 160-bit base32 secret", () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it("builds an otpauth URI with issuer shopmesh and the email as label", () => {
    const uri = new URL(totpUri(secret, "ann@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/shopmesh:ann@example.com");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("shopmesh");
  });

  it("accepts the current code and returns its time step", async () => {
    const code = await generateTotpCode(secret, now);
    const result = await verifyTotp(secret, code, { now });
    expect(result).toEqual({ valid: true, timeStep: Math.floor(now.getTime() / 30_000) });
  });

  it("accepts the codes of the neighbouring steps but not further", async () => {
    expect((await verifyTotp(secret, await generateTotpCode(secret, seconds(-30)), { now })).valid).toBe(
      true,
    );
    expect((await verifyTotp(secret, await generateTotpCode(secret, seconds(30)), { now })).valid).toBe(true);
    expect((await verifyTotp(secret, await generateTotpCode(secret, seconds(-90)), { now })).valid).toBe(
      false,
    );
  });

  it("rejects a wrong code and malformed input", async () => {
    const code = await generateTotpCode(secret, now);
    const window = await Promise.all([-30, 0, 30].map((s) => generateTotpCode(secret, seconds(s))));
    let wrong = code;
    while (window.includes(wrong)) wrong = String((Number(wrong) + 1) % 1_000_000).padStart(6, "0");
    expect(await verifyTotp(secret, wrong, { now })).toEqual({ valid: false });
    expect(await verifyTotp(secret, "12345", { now })).toEqual({ valid: false });
    expect(await verifyTotp(secret, "abcdef", { now })).toEqual({ valid: false });
    expect(await verifyTotp("not base32!", code, { now })).toEqual({ valid: false });
  });

  it("accepts spaces inside a code", async () => {
    const code = await generateTotpCode(secret, now);
    expect((await verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { now })).valid).toBe(true);
  });

  it("refuses a code of a step already used (replay)", async () => {
    const code = await generateTotpCode(secret, now);
    const first = await verifyTotp(secret, code, { now });
    if (!first.valid) throw new Error("expected a valid code");
    expect(await verifyTotp(secret, code, { now, afterTimeStep: first.timeStep })).toEqual({ valid: false });
  });
});

describe("recovery codes", () => {
  it("makes 10 distinct readable codes with their hashes", () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$/);
    expect(hashes).toEqual(codes.map(hashRecoveryCode));
  });

  it("finds a code however it is typed", () => {
    const { codes, hashes } = generateRecoveryCodes();
    const code = codes[3] ?? "";
    expect(findRecoveryCode(code, hashes)).toBe(hashes[3]);
    expect(findRecoveryCode(` ${code.toUpperCase().replace("-", " ")} `, hashes)).toBe(hashes[3]);
    expect(findRecoveryCode(code.replace("-", ""), hashes)).toBe(hashes[3]);
  });

  it("rejects a reused code once its hash is removed, and unknown codes", () => {
    const { codes, hashes } = generateRecoveryCodes();
    const used = findRecoveryCode(codes[0] ?? "", hashes);
    const remaining = hashes.filter((h) => h !== used);
    expect(findRecoveryCode(codes[0] ?? "", remaining)).toBeUndefined();
    expect(findRecoveryCode("2222-2222", hashes)).toBeUndefined();
    expect(findRecoveryCode("not-a-code", hashes)).toBeUndefined();
  });
});
