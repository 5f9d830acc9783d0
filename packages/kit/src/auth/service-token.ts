import { SignJWT } from "jose";
import { SERVICE_TOKEN_ISSUER } from "./principal.ts";

export interface ServiceTokenOptions {
  /** The calling service's name, the token's `sub`. */
  service: string;
  /** The shared secret (SERVICE_TOKEN_SECRET); in the mesh, mTLS identity is the stronger layer. */
  secret: string;
  /** Token lifetime; a fresh token is minted when less than a third is left. Default 300 s. */
  ttlSeconds?: number;
}

/**
 * Returns a function that yields a short-lived HS256 service token for calls a service makes on
 * its own behalf, cached until a third of its lifetime is left.
 */
export function createServiceToken(options: ServiceTokenOptions): () => Promise<string> {
  const key = new TextEncoder().encode(options.secret);
  const ttl = options.ttlSeconds ?? 300;
  let token = "";
  let renewAt = 0;
  return async () => {
    const now = Math.floor(Date.now() / 1000);
    if (token && now < renewAt) return token;
    token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(options.service)
      .setIssuer(SERVICE_TOKEN_ISSUER)
      .setAudience(SERVICE_TOKEN_ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(key);
    renewAt = now + Math.floor((ttl * 2) / 3);
    return token;
  };
}
