import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type RoleName, TOKEN_AUDIENCE, TOKEN_ISSUER } from "../auth/index.ts";
import type { CallOptions } from "../rpc/index.ts";

/** A real Ed25519 key standing in for identity's: its JWKS is what a service under test trusts. */
export interface TestSigningKeys {
  /** The public JWK Set (one key, `kid`) to give the service's token verifier. */
  jwks: JWK[];
  /** Signs an access token for `userId` with `roles` as identity would, valid for one hour. */
  sign(userId: string, roles: RoleName[]): Promise<string>;
}

/** Session id carried by every token from {@link createTestSigningKeys}. */
export const TEST_SESSION_ID = "0190a000-0000-7000-8000-0000000005e5";

/** A fresh Ed25519 signing key with its JWKS (kid `kid`), signing tokens with identity's issuer and audience. */
export async function createTestSigningKeys(kid = "test-key"): Promise<TestSigningKeys> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwks: JWK[] = [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }];
  return {
    jwks,
    sign: (userId, roles) =>
      new SignJWT({ sid: TEST_SESSION_ID, roles })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .setSubject(userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
  };
}

/** Call options carrying `token` as a bearer access token. */
export function bearer(token: string): CallOptions {
  return { call: { authorization: `Bearer ${token}` } };
}
