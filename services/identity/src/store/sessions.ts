import { type EntityManager, LockMode } from "@shopmesh/kit/db";
import type { RefreshToken, Session, SessionRevokeReason } from "../domain/session.ts";
import { RefreshTokenRow, SessionRow } from "./entities.ts";
import type { LockOption } from "./users.ts";

export interface SessionRepository {
  byId(id: string, options?: LockOption): Promise<Session | undefined>;
  /** Sessions not revoked and not expired at `now`, oldest first. */
  listActive(userId: string, now: Date, options?: LockOption): Promise<Session[]>;
  /** Every session of the user, ended ones too, oldest first. */
  listAll(userId: string): Promise<Session[]>;
  /** A new session with its first refresh token. */
  insert(session: Session, refreshToken: RefreshToken): Promise<void>;
  /**
   * Stores a rotation, guarded on the generation the caller read: false (nothing written) when a
   * concurrent refresh rotated the session first.
   */
  rotate(previousGeneration: number, session: Session, refreshToken: RefreshToken): Promise<boolean>;
  /** Stores a revocation; false when the session was revoked already (by a concurrent call). */
  revoke(session: Session): Promise<boolean>;
  /** The refresh token with this hash, current or rotated. */
  refreshToken(hash: string): Promise<RefreshToken | undefined>;
  /** Removes every session and refresh token of a user (account deletion). */
  deleteForUser(userId: string): Promise<void>;
}

export function createSessionRepository(em: EntityManager): SessionRepository {
  return {
    async byId(id, options = {}) {
      const row = await em.findOne(
        SessionRow,
        { id },
        { disableIdentityMap: true, ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
      );
      return row ? toSession(row) : undefined;
    },
    async listActive(userId, now, options = {}) {
      const rows = await em.find(
        SessionRow,
        { userId, revokeTime: null, expireTime: { $gt: now } },
        {
          orderBy: { createTime: "asc", id: "asc" },
          disableIdentityMap: true,
          ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}),
        },
      );
      return rows.map(toSession);
    },
    async listAll(userId) {
      const rows = await em.find(
        SessionRow,
        { userId },
        { orderBy: { createTime: "asc", id: "asc" }, disableIdentityMap: true },
      );
      return rows.map(toSession);
    },
    async insert(session, refreshToken) {
      await em.insert(SessionRow, toRow(session));
      await em.insert(RefreshTokenRow, { ...refreshToken });
    },
    async rotate(previousGeneration, session, refreshToken) {
      const { id, userId: _, createTime: __, ...columns } = toRow(session);
      const updated = await em.nativeUpdate(
        SessionRow,
        { id, generation: previousGeneration, revokeTime: null },
        columns,
      );
      if (updated !== 1) return false;
      await em.insert(RefreshTokenRow, { ...refreshToken });
      return true;
    },
    async revoke(session) {
      const updated = await em.nativeUpdate(
        SessionRow,
        { id: session.id, revokeTime: null },
        { revokeTime: session.revokeTime, revokeReason: session.revokeReason },
      );
      return updated === 1;
    },
    async refreshToken(hash) {
      const row = await em.findOne(RefreshTokenRow, { hash }, { disableIdentityMap: true });
      return row
        ? { hash: row.hash, sessionId: row.sessionId, generation: row.generation, createTime: row.createTime }
        : undefined;
    },
    async deleteForUser(userId) {
      // refresh_tokens go with their sessions (on delete cascade).
      await em.nativeDelete(SessionRow, { userId });
    },
  };
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    generation: row.generation,
    userAgent: row.userAgent,
    ipAddress: row.ipAddress,
    createTime: row.createTime,
    lastUsedTime: row.lastUsedTime,
    expireTime: row.expireTime,
    revokeTime: row.revokeTime,
    revokeReason: row.revokeReason as SessionRevokeReason | null,
  };
}

function toRow(session: Session): SessionRow {
  return {
    id: session.id,
    userId: session.userId,
    tokenHash: session.tokenHash,
    generation: session.generation,
    userAgent: session.userAgent,
    ipAddress: session.ipAddress,
    createTime: session.createTime,
    lastUsedTime: session.lastUsedTime,
    expireTime: session.expireTime,
    revokeTime: session.revokeTime,
    revokeReason: session.revokeReason,
  };
}
