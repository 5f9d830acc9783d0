import {
  RefreshTokenReuseDetectedSchema,
  SessionRevokedSchema,
  SessionStartedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import {
  isSessionActive,
  type RefreshToken,
  revokeSession,
  rotateRefreshToken,
  type Session,
  sessionExpireTime,
  startSession,
} from "./session.ts";

const t0 = new Date("2025-03-01T10:00:00Z");
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);

function start() {
  return startSession({
    id: "s1",
    userId: "u1",
    tokenHash: "hash-0",
    client: { userAgent: "Firefox", ipAddress: "203.0.113.9" },
    now: t0,
  });
}

/** Rotates like the RPC layer: looks the presented hash up among the tokens issued so far. */
function rotate(session: Session, tokens: RefreshToken[], presentedHash: string, newHash: string, now: Date) {
  const presented = tokens.find((t) => t.hash === presentedHash);
  if (!presented) throw new Error("unknown hash");
  return rotateRefreshToken(session, presented, { newTokenHash: newHash, now });
}

describe("startSession", () => {
  it("starts generation 0 with a 30-day expiry and records SessionStarted", () => {
    const { session, refreshToken, events } = start();
    expect(session).toMatchObject({
      generation: 0,
      tokenHash: "hash-0",
      expireTime: days(30),
      revokeTime: null,
    });
    expect(refreshToken).toEqual({ hash: "hash-0", sessionId: "s1", generation: 0, createTime: t0 });
    expect(events[0]?.type).toBe(SessionStartedSchema);
    expect(events[0]?.data).toMatchObject({
      userId: "u1",
      sessionId: "s1",
      userAgent: "Firefox",
      ipAddress: "203.0.113.9",
    });
  });
});

describe("rotateRefreshToken", () => {
  it("rotates the current token into the next generation of the same family, sliding the expiry", () => {
    const { session, refreshToken } = start();
    const result = rotate(session, [refreshToken], "hash-0", "hash-1", days(10));
    expect(result.status).toBe("rotated");
    if (result.status !== "rotated") return;
    expect(result.session).toMatchObject({
      id: "s1",
      generation: 1,
      tokenHash: "hash-1",
      lastUsedTime: days(10),
      expireTime: days(40),
    });
    expect(result.refreshToken).toMatchObject({ hash: "hash-1", sessionId: "s1", generation: 1 });
  });

  it("detects reuse of a rotated token and revokes the whole family", () => {
    const { session, refreshToken } = start();
    const tokens = [refreshToken];
    const first = rotate(session, tokens, "hash-0", "hash-1", days(1));
    if (first.status !== "rotated") throw new Error("expected rotation");
    tokens.push(first.refreshToken);

    const reuse = rotate(first.session, tokens, "hash-0", "hash-x", days(2));
    expect(reuse.status).toBe("reuse-detected");
    if (reuse.status !== "reuse-detected") return;
    expect(reuse.error).toMatchObject({ kind: "unauthenticated", reason: "REFRESH_TOKEN_REUSED" });
    expect(reuse.session).toMatchObject({ revokeTime: days(2), revokeReason: "token_reuse" });
    expect(reuse.events.map((e) => e.type)).toEqual([RefreshTokenReuseDetectedSchema, SessionRevokedSchema]);
    expect(reuse.events[1]?.data).toMatchObject({ sessionId: "s1", reason: "token_reuse" });

    // The legitimate holder's current token is now refused too.
    const current = rotate(reuse.session, tokens, "hash-1", "hash-2", days(2));
    expect(current).toMatchObject({ status: "rejected", error: { reason: "TOKEN_INVALID" } });
  });

  it("rejects tokens of an expired session", () => {
    const { session, refreshToken } = start();
    expect(rotate(session, [refreshToken], "hash-0", "hash-1", days(30))).toMatchObject({
      status: "rejected",
      error: { reason: "TOKEN_INVALID" },
    });
  });

  it("rejects tokens of a revoked session", () => {
    const { session, refreshToken } = start();
    const revoked = revokeSession(session, "logout", days(1)).session;
    expect(rotate(revoked, [refreshToken], "hash-0", "hash-1", days(2)).status).toBe("rejected");
  });

  it("caps the sliding expiry at 90 days after sign-in", () => {
    expect(sessionExpireTime(t0, days(75))).toEqual(days(90));
    expect(sessionExpireTime(t0, days(10))).toEqual(days(40));
  });

  it("keeps a session alive past 30 days while it is used", () => {
    let { session, refreshToken } = start();
    const tokens = [refreshToken];
    for (let day = 20; day <= 80; day += 20) {
      const result = rotate(session, tokens, session.tokenHash, `hash-${day}`, days(day));
      if (result.status !== "rotated") throw new Error(`expected rotation on day ${day}`);
      ({ session, refreshToken } = result);
      tokens.push(refreshToken);
    }
    expect(isSessionActive(session, days(89))).toBe(true);
    expect(isSessionActive(session, days(90))).toBe(false);
  });

  it("updates the client seen on refresh", () => {
    const { session, refreshToken } = start();
    const result = rotateRefreshToken(session, refreshToken, {
      newTokenHash: "h1",
      client: { userAgent: "Chrome", ipAddress: "198.51.100.1" },
      now: days(1),
    });
    expect(result).toMatchObject({
      status: "rotated",
      session: { userAgent: "Chrome", ipAddress: "198.51.100.1" },
    });
  });
});

describe("revokeSession", () => {
  it("records SessionRevoked once", () => {
    const { session } = start();
    const revoked = revokeSession(session, "admin", days(1));
    expect(revoked.session).toMatchObject({ revokeTime: days(1), revokeReason: "admin" });
    expect(revoked.events[0]?.data).toMatchObject({ reason: "admin" });
    expect(revokeSession(revoked.session, "logout", days(2)).events).toEqual([]);
    expect(isSessionActive(revoked.session, days(1))).toBe(false);
  });
});
