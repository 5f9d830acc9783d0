import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from "../crypto/passwords.ts";
import { generateToken, hashToken, tokenKind } from "../crypto/tokens.ts";
import { findRecoveryCode, verifyTotp } from "../crypto/totp.ts";
import { issueEmailVerification } from "../domain/action-tokens.ts";
import { normalizeEmail } from "../domain/email.ts";
import { emailTaken, invalidCredentials, tokenInvalid } from "../domain/errors.ts";
import { assertNotLocked } from "../domain/lock.ts";
import { recordLoginAttempt, type SecondFactor } from "../domain/login.ts";
import { revokeSession, rotateRefreshToken } from "../domain/session.ts";
import {
  isDeleted,
  registerUser,
  type User,
  upgradePasswordHash,
  validateRegistration,
} from "../domain/user.ts";
import { eventMeta } from "../events.ts";
import { clientInfo, openSession } from "./common.ts";
import { jwkToProto, tokenPairToProto, userToProto } from "./convert.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, required } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

/** Accounts and tokens: Register, Login, RefreshToken, Logout, GetJwks, RotateSigningKey. */
export function authHandlers(
  deps: IdentityDeps,
): Pick<Handlers, "register" | "login" | "refreshToken" | "logout" | "getJwks" | "rotateSigningKey"> {
  const { store, keys } = deps;

  return {
    async register(request, ctx) {
      const { password, ...profile } = validateRegistration(request);
      // Spares the password hash for the common case; the unique constraint decides races.
      if (await store.read().users.byEmail(profile.email)) throw emailTaken();
      const passwordHash = await hashPassword(password);
      const now = new Date();
      const id = newId();
      const meta = eventMeta(ctx, id);
      const user = await store.transaction(async (tx) => {
        const registered = registerUser({ id, ...profile, passwordHash, now });
        await tx.users.insert(registered.user);
        const token = generateToken("email_verification");
        const issued = issueEmailVerification(registered.user, {
          token: token.token,
          tokenHash: token.hash,
          now,
        });
        await tx.actionTokens.insert(issued.actionToken);
        tx.record([...registered.events, ...issued.events], meta);
        return registered.user;
      });
      return { user: userToProto(user, now) };
    },

    async login(request, ctx) {
      check(required(request.email, "email"), required(request.password, "password"));
      const client = clientInfo(request.client, ctx);
      const found = await store.read().users.byEmail(normalizeEmail(request.email));
      if (!found) {
        await verifyDummyPassword(request.password);
        throw invalidCredentials();
      }
      // The slow hash runs before the row lock is taken; checked again below if the hash changed meanwhile.
      const passwordValid = await verifyPassword(found.passwordHash, request.password);
      const now = new Date();
      const meta = eventMeta(ctx, found.id);
      const result = await store.transaction(async (tx) => {
        // The row lock makes concurrent attempts count one after the other.
        const user = await tx.users.byId(found.id, { lock: true });
        if (!user) return { ok: false as const, error: invalidCredentials() };
        const valid =
          user.passwordHash === found.passwordHash
            ? passwordValid
            : await verifyPassword(user.passwordHash, request.password);
        const secondFactor =
          valid && user.mfa.status === "enabled" ? await checkSecondFactor(user, request, now) : undefined;
        const outcome = recordLoginAttempt(
          user,
          { passwordValid: valid, secondFactor, ipAddress: client.ipAddress, now },
          deps.lockout,
        );
        let next = outcome.user;
        if (outcome.ok && needsRehash(next.passwordHash)) {
          next = upgradePasswordHash(next, await hashPassword(request.password));
        }
        if (next !== user) await tx.users.update(next);
        tx.record(outcome.events, meta);
        if (!outcome.ok) return { ok: false as const, error: outcome.error };
        const tokens = await openSession(tx, keys, next, client, now, meta);
        return { ok: true as const, user: next, tokens };
      });
      // Failed attempts are committed (counters, lockout, events) before the caller hears of them.
      if (!result.ok) throw result.error;
      return { tokens: result.tokens, user: userToProto(result.user, now) };
    },

    async refreshToken(request, ctx) {
      check(required(request.refreshToken, "refreshToken"));
      if (tokenKind(request.refreshToken) !== "refresh") throw tokenInvalid();
      const hash = hashToken(request.refreshToken);
      const client = clientInfo(request.client, ctx);
      const now = new Date();
      const result = await store.transaction(async (tx) => {
        const presented = await tx.sessions.refreshToken(hash);
        const session = presented && (await tx.sessions.byId(presented.sessionId));
        if (!presented || !session) throw tokenInvalid();
        const meta = eventMeta(ctx, session.userId);
        const next = generateToken("refresh");
        const rotation = rotateRefreshToken(session, presented, { newTokenHash: next.hash, client, now });
        if (rotation.status === "rejected") throw rotation.error;
        if (rotation.status === "reuse-detected") {
          // Committed before the caller hears of it: the family stays revoked.
          if (await tx.sessions.revoke(rotation.session)) tx.record(rotation.events, meta);
          return { ok: false as const, error: rotation.error };
        }
        const user = await tx.users.byId(session.userId);
        if (!user || isDeleted(user)) throw tokenInvalid("the account no longer exists");
        assertNotLocked(user, now);
        // Two refreshes with the same token: the generation guard lets exactly one of them win.
        if (!(await tx.sessions.rotate(session.generation, rotation.session, rotation.refreshToken))) {
          throw tokenInvalid("the refresh token was used by a concurrent refresh");
        }
        tx.record(rotation.events, meta);
        const access = await keys.sign({ userId: user.id, sessionId: session.id, roles: user.roles });
        return { ok: true as const, user, tokens: tokenPairToProto(access, next.token, rotation.session) };
      });
      if (!result.ok) throw result.error;
      return { tokens: result.tokens, user: userToProto(result.user, now) };
    },

    async logout(request, ctx) {
      check(required(request.refreshToken, "refreshToken"));
      if (tokenKind(request.refreshToken) !== "refresh") return {};
      const hash = hashToken(request.refreshToken);
      const now = new Date();
      await store.transaction(async (tx) => {
        const presented = await tx.sessions.refreshToken(hash);
        const session = presented && (await tx.sessions.byId(presented.sessionId, { lock: true }));
        if (!session) return;
        const change = revokeSession(session, "logout", now);
        if (change.events.length > 0 && (await tx.sessions.revoke(change.session))) {
          tx.record(change.events, eventMeta(ctx, session.userId));
        }
      });
      return {};
    },

    async getJwks() {
      return { keys: keys.published().map(jwkToProto) };
    },

    async rotateSigningKey(_request, ctx) {
      return { kid: await keys.rotate(eventMeta(ctx)) };
    },
  };
}

/** The second factor of a login on an account with MFA on, checked against the locked row. */
async function checkSecondFactor(
  user: User,
  request: { totpCode: string; recoveryCode: string },
  now: Date,
): Promise<SecondFactor> {
  if (request.totpCode) {
    if (!user.mfa.totpSecret) return { kind: "invalid" };
    const result = await verifyTotp(user.mfa.totpSecret, request.totpCode, {
      now,
      afterTimeStep: user.mfa.lastTotpStep,
    });
    return result.valid ? { kind: "totp", timeStep: result.timeStep } : { kind: "invalid" };
  }
  if (request.recoveryCode) {
    const codeHash = findRecoveryCode(request.recoveryCode, user.mfa.recoveryCodeHashes);
    return codeHash ? { kind: "recovery", codeHash } : { kind: "invalid" };
  }
  return { kind: "missing" };
}
