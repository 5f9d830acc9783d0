import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "@shopmesh/kit/auth";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { generateSigningKey, importPublicKey, importSigningKey, signAccessToken } from "./signing-keys.ts";

describe("signing keys", () => {
  it("generates an Ed25519 key with a UUIDv7 kid and a publishable JWK", async () => {
    const record = await generateSigningKey(new Date("2025-03-01T10:00:00Z"));
    expect(record.kid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(record.publicJwk).toEqual({
      kid: record.kid,
      kty: "OKP",
      crv: "Ed25519",
      x: expect.any(String),
      alg: "EdDSA",
      use: "sig",
    });
    expect(record.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(record.retireTime).toBeNull();
  });

  it("signs access tokens that verify against the published JWK with the expected claims", async () => {
    const record = await generateSigningKey();
    const key = await importSigningKey(record);
    const now = new Date();
    const signed = await signAccessToken({
      key,
      userId: "u1",
      sessionId: "s1",
      roles: ["customer", "support"],
      now,
    });
    expect(signed.expiresIn).toBe(900);

    expect(decodeProtectedHeader(signed.token)).toEqual({ alg: "EdDSA", kid: record.kid, typ: "JWT" });
    const { payload } = await jwtVerify(signed.token, createLocalJWKSet({ keys: [record.publicJwk] }), {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ["EdDSA"],
    });
    const iat = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({
      sub: "u1",
      sid: "s1",
      roles: ["customer", "support"],
      iss: "shopmesh-identity",
      aud: "shopmesh",
      iat,
      exp: iat + 900,
      jti: signed.id,
    });
    expect(signed.expireTime.getTime()).toBe((iat + 900) * 1000);
  });

  it("fails verification with another key", async () => {
    const signer = await generateSigningKey();
    const other = await generateSigningKey();
    const { token } = await signAccessToken({
      key: await importSigningKey(signer),
      userId: "u1",
      sessionId: "s1",
      roles: [],
    });
    await expect(jwtVerify(token, await importPublicKey(other.publicJwk))).rejects.toThrow(/signature/);
    await expect(jwtVerify(token, await importPublicKey(signer.publicJwk))).resolves.toBeDefined();
  });

  it("expires tokens after their ttl", async () => {
    const record = await generateSigningKey();
    const { token } = await signAccessToken({
      key: await importSigningKey(record),
      userId: "u1",
      sessionId: "s1",
      roles: [],
      ttlSeconds: 60,
      now: new Date(Date.now() - 120_000),
    });
    await expect(jwtVerify(token, await importPublicKey(record.publicJwk))).rejects.toThrow(/exp/);
  });

  it("round-trips the private key through its stored PEM", async () => {
    const record = await generateSigningKey();
    const again = await importSigningKey({ kid: record.kid, privateKeyPem: record.privateKeyPem });
    const { token } = await signAccessToken({ key: again, userId: "u2", sessionId: "s2", roles: ["admin"] });
    const { payload } = await jwtVerify(token, await importPublicKey(record.publicJwk));
    expect(payload.sub).toBe("u2");
  });
});
