import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { createLocalJWKSet, decodeProtectedHeader, type JWK, type JWTPayload, jwtVerify } from "jose";
import { rpcError } from "../rpc/errors.ts";
import { permissionsOf, ROLE_NAMES, type RoleName } from "./permissions.ts";
import { type Principal, SERVICE_TOKEN_ISSUER, TOKEN_AUDIENCE, TOKEN_ISSUER } from "./principal.ts";

/** Verifies bearer tokens and turns them into principals. */
export interface TokenVerifier {
  /** Throws an UNAUTHENTICATED RpcError (reason TOKEN_INVALID) for any bad token. */
  verify(token: string): Promise<Principal>;
}

const UNKNOWN_KID_REFETCH_MS = 1_000;

export interface TokenVerifierOptions {
  /** Fetches the current public keys (identity's JWKS). */
  keys: () => Promise<JWK[]>;
  /** Keys are refetched this often (and at most once a second for an unknown kid). Default 60 s. */
  refreshMs?: number;
  /** The shared secret of service tokens; service tokens are refused without it. */
  serviceSecret?: string;
  /** Allowed clock skew in seconds. Default 5. */
  clockToleranceSec?: number;
  /** How many verified tokens to remember (until they expire). Default 10,000; 0 turns it off. */
  cacheSize?: number;
}

/**
 * Creates a verifier for access tokens (EdDSA JWTs from identity, keys by `kid` from a JWKS) and
 * service tokens (HS256 JWTs with a shared secret, issuer "shopmesh-service").
 *
 * A token with an unknown kid triggers a key refetch (rate-limited to one per refreshMs) so a
 * freshly rotated key is accepted at once, without restarting anything.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const refreshMs = options.refreshMs ?? 60_000;
  const clockTolerance = options.clockToleranceSec ?? 5;
  const serviceKey = options.serviceSecret ? new TextEncoder().encode(options.serviceSecret) : undefined;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  let kids = new Set<string>();
  let fetchedAt = 0;
  let inflight: Promise<void> | undefined;
  // A client reuses its access token for many calls, a service its service token for minutes:
  // remembering verified tokens until they expire saves a signature check (~300 µs of CPU with
  // WebCrypto Ed25519, ~60 µs for HS256) on all but the first.
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();

  async function refresh(): Promise<void> {
    inflight ??= (async () => {
      // When the fetch started: keys published after this instant may be missing from its answer.
      const started = Date.now();
      try {
        const keys = await options.keys();
        keySet = createLocalJWKSet({ keys });
        const next = new Set(keys.map((k) => k.kid).filter((k): k is string => typeof k === "string"));
        // A key that left the set (withdrawn, not just rotated out) takes its tokens with it.
        if ([...kids].some((kid) => !next.has(kid))) verified.clear();
        kids = next;
        fetchedAt = started;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function keysFor(kid: string | undefined) {
    const asked = Date.now();
    if (!keySet || asked - fetchedAt > refreshMs) await refresh();
    if (kid !== undefined && !kids.has(kid)) {
      // Most likely a freshly rotated key: fetch again unless a fetch started after this token
      // came (which would have brought it), and at most once a second — tokens with a made-up
      // kid wait for the next allowed fetch instead of causing one each.
      const wait = fetchedAt + UNKNOWN_KID_REFETCH_MS - Date.now();
      if (wait > 0) await sleep(wait);
      if (!kids.has(kid) && fetchedAt <= asked) await refresh();
    }
    if (!keySet) throw invalid("no signing keys available");
    return keySet;
  }

  return {
    async verify(token: string): Promise<Principal> {
      const hit = verified.get(token);
      if (hit) {
        if (hit.expiresAt > Date.now()) return hit.principal;
        verified.delete(token);
      }
      const principal = await verifyUncached(token);
      if (cacheSize > 0) {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(token, { principal, expiresAt: expiryOf(token) });
      }
      return principal;
    },
  };

  async function verifyUncached(token: string): Promise<Principal> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid("malformed token");
    }
    if (header.alg === "HS256") return verifyService(token);
    let payload: JWTPayload;
    try {
      const keys = await keysFor(header.kid);
      ({ payload } = await jwtVerify(token, keys, {
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        algorithms: ["EdDSA", "ES256"],
        clockTolerance,
        requiredClaims: ["sub", "exp", "sid"],
      }));
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw invalid(error instanceof Error ? error.message : "invalid token");
    }
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is RoleName => ROLE_NAMES.includes(r as RoleName))
      : [];
    return {
      kind: "user",
      userId: String(payload.sub),
      sessionId: String(payload.sid),
      roles,
      permissions: permissionsOf(roles),
    };
  }

  async function verifyService(token: string): Promise<Principal> {
    if (!serviceKey) throw invalid("service tokens are not accepted here");
    try {
      const { payload } = await jwtVerify(token, serviceKey, {
        issuer: SERVICE_TOKEN_ISSUER,
        audience: SERVICE_TOKEN_ISSUER,
        algorithms: ["HS256"],
        clockTolerance,
        requiredClaims: ["sub", "exp"],
      });
      return { kind: "service", service: String(payload.sub) };
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : "invalid service token");
    }
  }
}

/** The `exp` of a token that verified, in ms. */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
    exp?: number;
  };
  return (payload.exp ?? 0) * 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function invalid(message: string): ConnectError {
  return rpcError(Code.Unauthenticated, `invalid access token: ${message}`, ErrorReason.TOKEN_INVALID);
}
