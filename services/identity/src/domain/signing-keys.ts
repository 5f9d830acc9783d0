import { SigningKeyRotatedSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";

/** Lifetime of access tokens: short, since they cannot be revoked before they expire. */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
/** Extra time a retired key stays published, for clock skew and cached JWKS. */
export const KEY_RETIREMENT_MARGIN_SECONDS = 300;

/** A public signing key as published in the JWKS (RFC 7517, Ed25519). */
export interface PublicJwk {
  kid: string;
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  alg: "EdDSA";
  use: "sig";
}

/** A stored signing key. */
export interface SigningKeyRecord {
  kid: string;
  /** PKCS #8 PEM of the private key; seal it (crypto/secret-box) before it reaches the database. */
  privateKeyPem: string;
  publicJwk: PublicJwk;
  createTime: Date;
  /** When a newer key replaced it for signing; null for the current key. */
  retireTime: Date | null;
}

export interface KeyRetentionOptions {
  /** The longest lifetime of an access token signed by a retired key. */
  maxTokenTtlSeconds?: number;
  marginSeconds?: number;
}

/** The key that signs new tokens: the newest one not retired; undefined before the first rotation. */
export function currentSigningKey<K extends Pick<SigningKeyRecord, "createTime" | "retireTime">>(
  keys: readonly K[],
): K | undefined {
  let current: K | undefined;
  for (const key of keys) {
    if (key.retireTime === null && (current === undefined || key.createTime > current.createTime))
      current = key;
  }
  return current;
}

/**
 * The keys to publish in the JWKS at `now`: the current key plus every retired key that may still
 * have signed a live token (retired less than the access-token lifetime plus a margin ago). So a
 * rotation never signs anyone out: tokens of the old key verify until they expire.
 */
export function publishedSigningKeys<K extends Pick<SigningKeyRecord, "createTime" | "retireTime">>(
  keys: readonly K[],
  now: Date,
  options: KeyRetentionOptions = {},
): K[] {
  const keepMs = retentionMs(options);
  return keys
    .filter((key) => key.retireTime === null || now.getTime() - key.retireTime.getTime() < keepMs)
    .sort((a, b) => b.createTime.getTime() - a.createTime.getTime());
}

/** Retired keys no live token can have been signed with: safe to delete. */
export function expiredSigningKeys<K extends Pick<SigningKeyRecord, "retireTime">>(
  keys: readonly K[],
  now: Date,
  options: KeyRetentionOptions = {},
): K[] {
  const keepMs = retentionMs(options);
  return keys.filter((key) => key.retireTime !== null && now.getTime() - key.retireTime.getTime() >= keepMs);
}

export interface SigningKeyRotation<K> {
  /** The key book after the rotation: `next` plus every previous key, the current one retired. */
  keys: K[];
  /** Keys whose retireTime was set now (to store). */
  retired: K[];
  events: DomainEvent[];
}

/**
 * Makes `next` (a freshly generated key) the current key and retires the previous current keys
 * at `now`. Records SigningKeyRotated (subject: the new kid).
 */
export function rotateSigningKeys<K extends Pick<SigningKeyRecord, "kid" | "createTime" | "retireTime">>(
  keys: readonly K[],
  next: K,
  now: Date,
): SigningKeyRotation<K> {
  const previous = currentSigningKey(keys);
  const retired: K[] = [];
  const updated = keys.map((key) => {
    if (key.retireTime !== null) return key;
    const done = { ...key, retireTime: now };
    retired.push(done);
    return done;
  });
  const event = domainEvent(SigningKeyRotatedSchema, next.kid, {
    kid: next.kid,
    previousKid: previous?.kid ?? "",
  });
  return { keys: [{ ...next, retireTime: null }, ...updated], retired, events: [event] };
}

function retentionMs(options: KeyRetentionOptions): number {
  return (
    ((options.maxTokenTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS) +
      (options.marginSeconds ?? KEY_RETIREMENT_MARGIN_SECONDS)) *
    1000
  );
}
