import type { EntityManager } from "@shopmesh/kit/db";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { PublicJwk, SigningKeyRecord } from "../domain/signing-keys.ts";
import { SigningKeyRow } from "./entities.ts";

export interface SigningKeyRepository {
  /**
   * Takes the key book's transaction-scoped advisory lock: replicas that start or rotate at the
   * same time change the keys one after the other.
   */
  lock(): Promise<void>;
  /** Every stored key with its private key opened, newest first. */
  all(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  retire(key: SigningKeyRecord): Promise<void>;
  delete(kids: readonly string[]): Promise<void>;
}

export function createSigningKeyRepository(
  em: EntityManager,
  box: SecretBox,
  schema: string,
): SigningKeyRepository {
  return {
    async lock() {
      await em.execute("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`${schema}.signing_keys`]);
    },
    async all() {
      const rows = await em.find(
        SigningKeyRow,
        {},
        { orderBy: { createTime: "desc", kid: "desc" }, disableIdentityMap: true },
      );
      return rows.map((row) => ({
        kid: row.kid,
        privateKeyPem: box.open(row.privateKey, row.kid),
        publicJwk: row.publicJwk as unknown as PublicJwk,
        createTime: row.createTime,
        retireTime: row.retireTime,
      }));
    },
    async insert(key) {
      await em.insert(SigningKeyRow, {
        kid: key.kid,
        privateKey: box.seal(key.privateKeyPem, key.kid),
        publicJwk: { ...key.publicJwk },
        createTime: key.createTime,
        retireTime: key.retireTime,
      });
    },
    async retire(key) {
      await em.nativeUpdate(SigningKeyRow, { kid: key.kid }, { retireTime: key.retireTime });
    },
    async delete(kids) {
      if (kids.length > 0) await em.nativeDelete(SigningKeyRow, { kid: { $in: [...kids] } });
    },
  };
}
