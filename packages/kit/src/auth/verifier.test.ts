import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createServiceToken } from "./service-token.ts";
import { createTokenVerifier } from "./verifier.ts";

async function keyPair(kid: string) {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: "EdDSA", use: "sig" };
  const sign = (claims: Record<string, unknown>, expires = "5m") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setSubject("user-1")
      .setIssuer("shopmesh-identity")
      .setAudience("shopmesh")
      .setIssuedAt()
      .setExpirationTime(expires)
      .sign(pair.privateKey);
  return { jwk, sign };
}

describe("createTokenVerifier", () => {
  it("turns a valid access token into a user principal with permissions", async () => {
    const k1 = await keyPair("k1");
    const verifier = createTokenVerifier({ keys: async () => [k1.jwk] });
    const principal = await verifier.verify(await k1.sign({ sid: "s1", roles: ["support", "bogus"] }));
    expect(principal).toMatchObject({ kind: "user", userId: "user-1", sessionId: "s1", roles: ["support"] });
    expect(principal.kind === "user" && principal.permissions.has("users.read")).toBe(true);
    expect(principal.kind === "user" && principal.permissions.has("users.roles")).toBe(false);
  });

  it("refuses expired tokens, tokens without a session and wrong audiences", async () => {
    const k1 = await keyPair("k1");
    const verifier = createTokenVerifier({ keys: async () => [k1.jwk] });
    await expect(verifier.verify(await k1.sign({ sid: "s1", roles: [] }, "-1m"))).rejects.toThrow(
      /invalid access token/,
    );
    await expect(verifier.verify(await k1.sign({ roles: [] }))).rejects.toThrow(/invalid access token/);
  });

  it("fetches keys again when a token names a key it has not seen (rotation)", async () => {
    const k1 = await keyPair("k1");
    const k2 = await keyPair("k2");
    let published = [k1.jwk];
    let fetches = 0;
    const verifier = createTokenVerifier({
      keys: async () => {
        fetches++;
        return published;
      },
    });
    await verifier.verify(await k1.sign({ sid: "s", roles: [] }));
    published = [k1.jwk, k2.jwk];
    await expect(verifier.verify(await k2.sign({ sid: "s", roles: [] }))).resolves.toMatchObject({
      kind: "user",
    });
    // the old key still verifies: rotation logs nobody out
    await expect(verifier.verify(await k1.sign({ sid: "s", roles: [] }))).resolves.toMatchObject({
      kind: "user",
    });
    expect(fetches).toBe(2);
  });

  it("fetches again for a new key that a fetch begun before the rotation could not bring", async () => {
    const k1 = await keyPair("k1");
    const k2 = await keyPair("k2");
    let published = [k1.jwk];
    let answered: () => void = () => {};
    let slow = true;
    const verifier = createTokenVerifier({
      keys: async () => {
        const answer = published;
        if (slow) {
          slow = false;
          // the first fetch reads the keys now and answers only once the rotation is done
          await new Promise<void>((resolve) => {
            answered = resolve;
          });
        }
        return answer;
      },
    });
    const old = verifier.verify(await k1.sign({ sid: "s", roles: [] }));
    published = [k1.jwk, k2.jwk];
    // a token of the new key arrives while that fetch is still under way
    const fresh = verifier.verify(await k2.sign({ sid: "s", roles: [] }));
    answered();
    await expect(old).resolves.toMatchObject({ kind: "user" });
    await expect(fresh).resolves.toMatchObject({ kind: "user" });
  });

  it("remembers verified tokens until a key refresh finds their key withdrawn", async () => {
    const k1 = await keyPair("k1");
    const k2 = await keyPair("k2");
    let published = [k1.jwk];
    const verifier = createTokenVerifier({ keys: async () => published, refreshMs: 0 });
    const token = await k1.sign({ sid: "s", roles: ["customer"] });
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first); // the same principal object: a cache hit
    published = [k2.jwk];
    // the next key refresh (here: the next uncached token) sees k1 withdrawn
    await verifier.verify(await k2.sign({ sid: "s2", roles: [] }));
    await expect(verifier.verify(token)).rejects.toThrow(/invalid access token/);
  });

  it("accepts service tokens only with the shared secret", async () => {
    const mint = createServiceToken({ service: "order", secret: "s".repeat(32) });
    const withSecret = createTokenVerifier({ keys: async () => [], serviceSecret: "s".repeat(32) });
    const without = createTokenVerifier({ keys: async () => [] });
    const wrong = createTokenVerifier({ keys: async () => [], serviceSecret: "t".repeat(32) });
    const token = await mint();
    expect(await withSecret.verify(token)).toEqual({ kind: "service", service: "order" });
    await expect(without.verify(token)).rejects.toThrow(/not accepted/);
    await expect(wrong.verify(token)).rejects.toThrow(/invalid access token/);
  });

  it("remembers verified service tokens too, but never one that failed", async () => {
    const token = await createServiceToken({ service: "order", secret: "s".repeat(32) })();
    const verifier = createTokenVerifier({ keys: async () => [], serviceSecret: "s".repeat(32) });
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first); // the same principal object: a cache hit
    const forged = await createServiceToken({ service: "order", secret: "t".repeat(32) })();
    await expect(verifier.verify(forged)).rejects.toThrow(/invalid access token/);
    await expect(verifier.verify(forged)).rejects.toThrow(/invalid access token/);
  });
});
