import { describe, expect, it } from "vitest";
import { createTokenVerifier } from "../auth/index.ts";
import { Code } from "../rpc/index.ts";
import { rpcFailure } from "./rpc-failure.ts";
import { bearer, createTestSigningKeys, TEST_SESSION_ID } from "./tokens.ts";

describe("createTestSigningKeys", () => {
  it("signs tokens the kit's verifier accepts with its JWKS", async () => {
    const keys = await createTestSigningKeys("kid-a");
    expect(keys.jwks).toEqual([
      expect.objectContaining({ kid: "kid-a", alg: "EdDSA", use: "sig", crv: "Ed25519" }),
    ]);
    const verifier = createTokenVerifier({ keys: async () => keys.jwks });
    const principal = await verifier.verify(await keys.sign("user-1", ["admin"]));
    expect(principal).toMatchObject({
      kind: "user",
      userId: "user-1",
      sessionId: TEST_SESSION_ID,
      roles: ["admin"],
    });
  });

  it("is refused by a verifier trusting another key", async () => {
    const [keys, other] = await Promise.all([createTestSigningKeys("kid-a"), createTestSigningKeys("kid-a")]);
    const verifier = createTokenVerifier({ keys: async () => other.jwks });
    const refused = await rpcFailure(verifier.verify(await keys.sign("user-1", ["customer"])));
    expect(refused.code).toBe(Code.Unauthenticated);
  });
});

describe("bearer", () => {
  it("puts the token in the authorization metadata", () => {
    expect(bearer("abc")).toEqual({ call: { authorization: "Bearer abc" } });
  });
});
