import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "@shopmesh/kit/auth";
import { newId } from "@shopmesh/kit/ids";
import {
  type CryptoKey,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  SignJWT,
} from "jose";
import { ACCESS_TOKEN_TTL_SECONDS, type PublicJwk, type SigningKeyRecord } from "../domain/signing-keys.ts";

/** The JWS algorithm of access tokens: EdDSA over Ed25519 (small keys, fast, deterministic). */
export const SIGNING_ALGORITHM = "EdDSA";

/**
 * A new Ed25519 key pair as a SigningKeyRecord (current: retireTime null). The kid is a UUIDv7,
 * so kids sort by creation.
 */
export async function generateSigningKey(now: Date = new Date()): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    crv: "Ed25519",
    extractable: true,
  });
  const kid = newId();
  const jwk = await exportJWK(publicKey);
  if (typeof jwk.x !== "string") throw new Error("Ed25519 public key export lacks x");
  return {
    kid,
    privateKeyPem: await exportPKCS8(privateKey),
    publicJwk: { kid, kty: "OKP", crv: "Ed25519", x: jwk.x, alg: SIGNING_ALGORITHM, use: "sig" },
    createTime: now,
    retireTime: null,
  };
}

/** A private key ready to sign, imported from its stored PEM. Import once and keep it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** Imports a stored key for signing. */
export async function importSigningKey(
  record: Pick<SigningKeyRecord, "kid" | "privateKeyPem">,
): Promise<SigningKey> {
  return { kid: record.kid, privateKey: await importPKCS8(record.privateKeyPem, SIGNING_ALGORITHM) };
}

/** Imports a published key for verifying (identity's own checks and tests; services use the kit's verifier). */
export async function importPublicKey(jwk: PublicJwk): Promise<CryptoKey> {
  const key = await importJWK({ ...jwk }, SIGNING_ALGORITHM);
  if (key instanceof Uint8Array) throw new Error("expected an asymmetric public key");
  return key;
}

export interface AccessTokenClaims {
  key: SigningKey;
  userId: string;
  /** The session (refresh-token family): the `sid` claim. */
  sessionId: string;
  roles: readonly string[];
  ttlSeconds?: number;
  now?: Date;
}

export interface SignedAccessToken {
  token: string;
  /** Seconds until it expires (TokenPair.expires_in). */
  expiresIn: number;
  expireTime: Date;
  /** The token's unique id (`jti`). */
  id: string;
}

/**
 * Signs an access token: header {alg: "EdDSA", kid, typ: "JWT"}, claims {sub, sid, roles, iss:
 * "shopmesh-identity", aud: "shopmesh", iat, exp, jti}, as @shopmesh/kit/auth's verifier expects.
 */
export async function signAccessToken(claims: AccessTokenClaims): Promise<SignedAccessToken> {
  const ttl = claims.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const iat = Math.floor((claims.now ?? new Date()).getTime() / 1000);
  const id = newId();
  const token = await new SignJWT({ sid: claims.sessionId, roles: [...claims.roles] })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: claims.key.kid, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(id)
    .sign(claims.key.privateKey);
  return { token, expiresIn: ttl, expireTime: new Date((iat + ttl) * 1000), id };
}
