import { type EntityManager, LockMode } from "@shopmesh/kit/db";
import type { ActionToken, ActionTokenKind } from "../domain/action-tokens.ts";
import { ActionTokenRow } from "./entities.ts";
import type { LockOption } from "./users.ts";

/** Single-use emailed tokens (email verification, password reset), stored by hash only. */
export interface ActionTokenRepository {
  byHash(hash: string, options?: LockOption): Promise<ActionToken | undefined>;
  insert(token: ActionToken): Promise<void>;
  /** Stores that the token was used. */
  markUsed(token: ActionToken): Promise<void>;
  /** Deletes the user's unused tokens of `kind`, except `keepHash`. */
  deleteOutstanding(userId: string, kind: ActionTokenKind, keepHash?: string): Promise<number>;
  deleteForUser(userId: string): Promise<void>;
}

export function createActionTokenRepository(em: EntityManager): ActionTokenRepository {
  return {
    async byHash(hash, options = {}) {
      const row = await em.findOne(
        ActionTokenRow,
        { hash },
        { disableIdentityMap: true, ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
      );
      return row
        ? {
            hash: row.hash,
            kind: row.kind as ActionTokenKind,
            userId: row.userId,
            createTime: row.createTime,
            expireTime: row.expireTime,
            useTime: row.useTime,
          }
        : undefined;
    },
    async insert(token) {
      await em.insert(ActionTokenRow, { ...token });
    },
    async markUsed(token) {
      await em.nativeUpdate(ActionTokenRow, { hash: token.hash }, { useTime: token.useTime });
    },
    deleteOutstanding(userId, kind, keepHash) {
      return em.nativeDelete(ActionTokenRow, {
        userId,
        kind,
        useTime: null,
        ...(keepHash ? { hash: { $ne: keepHash } } : {}),
      });
    },
    async deleteForUser(userId) {
      await em.nativeDelete(ActionTokenRow, { userId });
    },
  };
}
