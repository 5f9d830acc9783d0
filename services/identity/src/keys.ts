import type { EventMeta } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import {
  generateSigningKey,
  importSigningKey,
  type SignedAccessToken,
  type SigningKey,
  signAccessToken,
} from "./crypto/signing-keys.ts";
import {
  currentSigningKey,
  expiredSigningKeys,
  type PublicJwk,
  publishedSigningKeys,
  rotateSigningKeys,
  type SigningKeyRecord,
} from "./domain/signing-keys.ts";
import type { IdentityStore } from "./store/index.ts";

/** The signing keys of access tokens, kept in memory and shared by every replica through the store. */
export interface KeyRing {
  /** Makes sure a current key exists (the first replica to start creates it), then loads the keys. */
  start(): Promise<void>;
  /** Signs an access token with the current key. */
  sign(claims: { userId: string; sessionId: string; roles: readonly string[] }): Promise<SignedAccessToken>;
  /** The public keys to publish now (JWKS), newest first, from memory. */
  published(): PublicJwk[];
  /** Reads the keys from the store again; resolves with the published keys. */
  reload(): Promise<PublicJwk[]>;
  /** Makes a new key current; the previous one keeps verifying until its tokens expire. Returns the new kid. */
  rotate(meta: EventMeta): Promise<string>;
  /** Stops the periodic reload. */
  stop(): void;
}

export interface KeyRingOptions {
  store: IdentityStore;
  logger: Logger;
  /**
   * How often the keys are read again, so a rotation made by another replica is signed with and
   * published here too. Default 30 s.
   */
  refreshMs?: number;
}

export function createKeyRing(options: KeyRingOptions): KeyRing {
  const { store, logger } = options;
  const refreshMs = options.refreshMs ?? 30_000;
  let keys: SigningKeyRecord[] = [];
  // Importing a PEM costs more than signing: keep the imported key of each kid.
  const imported = new Map<string, Promise<SigningKey>>();
  let timer: NodeJS.Timeout | undefined;

  async function reload(): Promise<PublicJwk[]> {
    keys = await store.read().signingKeys.all();
    for (const kid of imported.keys()) {
      if (!keys.some((key) => key.kid === kid)) imported.delete(kid);
    }
    return published();
  }

  function published(): PublicJwk[] {
    return publishedSigningKeys(keys, new Date()).map((key) => key.publicJwk);
  }

  /** Runs a change of the key book under its lock; `change` gets the stored keys. */
  async function changeKeys(
    change: (stored: SigningKeyRecord[]) => Promise<SigningKeyRecord | undefined>,
    meta: EventMeta,
  ): Promise<SigningKeyRecord | undefined> {
    return store.transaction(async (tx) => {
      await tx.signingKeys.lock();
      const stored = await tx.signingKeys.all();
      const next = await change(stored);
      if (!next) return undefined;
      const now = next.createTime;
      const rotation = rotateSigningKeys(stored, next, now);
      for (const key of rotation.retired) await tx.signingKeys.retire(key);
      await tx.signingKeys.insert(next);
      await tx.signingKeys.delete(expiredSigningKeys(stored, now).map((key) => key.kid));
      tx.record(rotation.events, meta);
      return next;
    });
  }

  return {
    async start() {
      const created = await changeKeys(
        async (stored) => (currentSigningKey(stored) ? undefined : generateSigningKey(new Date())),
        { actor: "service:identity" },
      );
      if (created) logger.info({ kid: created.kid }, "created the first signing key");
      await reload();
      timer ??= setInterval(() => {
        reload().catch((err) => logger.warn({ err }, "could not reload signing keys"));
      }, refreshMs);
      timer.unref();
    },
    async sign(claims) {
      const current = currentSigningKey(keys);
      if (!current) throw new Error("no current signing key: the key ring was not started");
      let key = imported.get(current.kid);
      if (!key) {
        key = importSigningKey(current);
        imported.set(current.kid, key);
      }
      return signAccessToken({ key: await key, ...claims });
    },
    published,
    reload,
    async rotate(meta) {
      const next = await changeKeys(() => generateSigningKey(new Date()), meta);
      await reload();
      logger.info({ kid: next?.kid }, "rotated the signing key");
      return next!.kid;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
