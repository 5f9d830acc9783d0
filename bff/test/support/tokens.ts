import {
  createTokenVerifier,
  type RoleName,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type TokenVerifier,
} from "@shopmesh/kit/auth";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** A real Ed25519 signing key, its public JWK Set, and the kit's verifier trusting it. */
export interface TestKeys {
  jwks: JWK[];
  verifier: TokenVerifier;
  /** Signs an access token as identity would. */
  sign(claims: {
    userId: string;
    roles?: RoleName[];
    sessionId?: string;
    expiresIn?: string | number;
  }): Promise<string>;
}

/** Generates a signing key pair and an access-token verifier over its JWKS. */
export async function createTestKeys(kid = "test-key-1"): Promise<TestKeys> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const jwks = [jwk];
  return {
    jwks,
    verifier: createTokenVerifier({ keys: async () => jwks }),
    async sign({ userId, roles = ["customer"], sessionId = "session-1", expiresIn = "15m" }) {
      return new SignJWT({ sid: sessionId, roles })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .setSubject(userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey);
    },
  };
}
