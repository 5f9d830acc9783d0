import {
  RefreshTokenReuseDetectedSchema,
  SessionRevokedSchema,
  SessionStartedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { DomainError } from "@shopmesh/kit/errors";
import { tokenInvalid } from "./errors.ts";

/** A refresh token unused this long expires; each use extends it (sliding expiry). */
export const REFRESH_TOKEN_IDLE_MS = 30 * 24 * 60 * 60_000;
/** No session outlives this, however often it refreshes: then the user signs in again. */
export const SESSION_MAX_AGE_MS = 90 * 24 * 60 * 60_000;

const MAX_USER_AGENT_LENGTH = 512;
const MAX_IP_ADDRESS_LENGTH = 64;

/** Why a session ended (SessionRevoked.reason). */
export type SessionRevokeReason =
  | "logout"
  | "user"
  | "admin"
  | "password_changed"
  | "locked"
  | "token_reuse"
  | "account_deleted";

/** A signed-in device: one refresh-token family. Only the hash of its current token is kept. */
export interface Session {
  /** UUIDv7; the `sid` claim of its access tokens. */
  id: string;
  userId: string;
  /** Hash of the current refresh token (crypto/tokens hashToken). */
  tokenHash: string;
  /** Counts rotations: the current token's generation; 0 for the token issued at login. */
  generation: number;
  /** Latest client seen (login or refresh). */
  userAgent: string;
  ipAddress: string;
  createTime: Date;
  lastUsedTime: Date;
  /** min(last use + 30 days, creation + 90 days). */
  expireTime: Date;
  revokeTime: Date | null;
  revokeReason: SessionRevokeReason | null;
}

/**
 * Every refresh token ever issued for a session, by hash: how a presented token finds its session,
 * and how a rotated token, presented again, is recognised as reuse. Keep rows until the session
 * expires.
 */
export interface RefreshToken {
  hash: string;
  sessionId: string;
  generation: number;
  createTime: Date;
}

export interface ClientInfo {
  userAgent?: string;
  ipAddress?: string;
}

/** The expiry of a session last used at `now`: sliding, capped by the session's maximum age. */
export function sessionExpireTime(createTime: Date, now: Date): Date {
  return new Date(Math.min(now.getTime() + REFRESH_TOKEN_IDLE_MS, createTime.getTime() + SESSION_MAX_AGE_MS));
}

/** True while the session is neither revoked nor expired. */
export function isSessionActive(session: Session, now: Date): boolean {
  return session.revokeTime === null && session.expireTime.getTime() > now.getTime();
}

export interface NewSession {
  id: string;
  userId: string;
  /** Hash of the first refresh token (generation 0). */
  tokenHash: string;
  client?: ClientInfo;
  now: Date;
}

export interface SessionChange {
  session: Session;
  events: DomainEvent[];
}

/** A session started by a login; records SessionStarted. Store the session and its refresh token. */
export function startSession(input: NewSession): SessionChange & { refreshToken: RefreshToken } {
  const { now } = input;
  const session: Session = {
    id: input.id,
    userId: input.userId,
    tokenHash: input.tokenHash,
    generation: 0,
    userAgent: clip(input.client?.userAgent, MAX_USER_AGENT_LENGTH),
    ipAddress: clip(input.client?.ipAddress, MAX_IP_ADDRESS_LENGTH),
    createTime: now,
    lastUsedTime: now,
    expireTime: sessionExpireTime(now, now),
    revokeTime: null,
    revokeReason: null,
  };
  const event = domainEvent(SessionStartedSchema, session.userId, {
    userId: session.userId,
    sessionId: session.id,
    userAgent: session.userAgent,
    ipAddress: session.ipAddress,
  });
  return { session, refreshToken: refreshTokenOf(session, now), events: [event] };
}

export interface RotateOptions {
  /** Hash of the new refresh token. */
  newTokenHash: string;
  client?: ClientInfo;
  now: Date;
}

/**
 * The result of presenting a refresh token:
 * - `rotated`: the current token; the session moves to the next generation with the new token
 *   and a renewed expiry. Store the session (guarding on the previous generation, so two
 *   concurrent refreshes cannot both win) and the new refresh token.
 * - `reuse-detected`: a token this session already rotated away from: it was copied, so the
 *   whole family is revoked (records RefreshTokenReuseDetected and SessionRevoked). Store the
 *   session and events, then throw `error` (REFRESH_TOKEN_REUSED).
 * - `rejected`: the session is revoked or expired; throw `error` (TOKEN_INVALID); nothing changes.
 */
export type RotateResult =
  | { status: "rotated"; session: Session; refreshToken: RefreshToken; events: DomainEvent[] }
  | { status: "reuse-detected"; session: Session; events: DomainEvent[]; error: DomainError }
  | { status: "rejected"; error: DomainError };

/**
 * Rotates a session's refresh token. `presented` is the RefreshToken row found by the presented
 * token's hash (a hash found nowhere is TOKEN_INVALID: the caller throws tokenInvalid()).
 */
export function rotateRefreshToken(
  session: Session,
  presented: RefreshToken,
  options: RotateOptions,
): RotateResult {
  if (presented.sessionId !== session.id) {
    throw new Error(`refresh token of session ${presented.sessionId} presented for session ${session.id}`);
  }
  const { now } = options;
  if (!isSessionActive(session, now))
    return { status: "rejected", error: tokenInvalid("the session has ended") };
  if (presented.generation < session.generation) {
    const revoked = revokeSession(session, "token_reuse", now);
    const reuse = domainEvent(RefreshTokenReuseDetectedSchema, session.userId, {
      userId: session.userId,
      sessionId: session.id,
      ipAddress: clip(options.client?.ipAddress, MAX_IP_ADDRESS_LENGTH),
    });
    return {
      status: "reuse-detected",
      session: revoked.session,
      events: [reuse, ...revoked.events],
      error: new DomainError(
        "unauthenticated",
        "the refresh token was used before; the session is signed out",
        {
          reason: "REFRESH_TOKEN_REUSED",
        },
      ),
    };
  }
  if (presented.generation !== session.generation || presented.hash !== session.tokenHash) {
    return { status: "rejected", error: tokenInvalid() };
  }
  const next: Session = {
    ...session,
    tokenHash: options.newTokenHash,
    generation: session.generation + 1,
    userAgent: options.client?.userAgent
      ? clip(options.client.userAgent, MAX_USER_AGENT_LENGTH)
      : session.userAgent,
    ipAddress: options.client?.ipAddress
      ? clip(options.client.ipAddress, MAX_IP_ADDRESS_LENGTH)
      : session.ipAddress,
    lastUsedTime: now,
    expireTime: sessionExpireTime(session.createTime, now),
  };
  return { status: "rotated", session: next, refreshToken: refreshTokenOf(next, now), events: [] };
}

/** Ends a session; records SessionRevoked. Revoking an ended session changes nothing. */
export function revokeSession(session: Session, reason: SessionRevokeReason, now: Date): SessionChange {
  if (session.revokeTime !== null) return { session, events: [] };
  return {
    session: { ...session, revokeTime: now, revokeReason: reason },
    events: [
      domainEvent(SessionRevokedSchema, session.userId, {
        userId: session.userId,
        sessionId: session.id,
        reason,
      }),
    ],
  };
}

function refreshTokenOf(session: Session, now: Date): RefreshToken {
  return { hash: session.tokenHash, sessionId: session.id, generation: session.generation, createTime: now };
}

function clip(value: string | undefined, max: number): string {
  return (value ?? "").slice(0, max);
}
