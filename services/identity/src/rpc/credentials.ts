import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { FieldViolation } from "@shopmesh/kit/errors";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { hashPassword, verifyPassword } from "../crypto/passwords.ts";
import { generateToken, hashToken, tokenKind } from "../crypto/tokens.ts";
import {
  type ActionToken,
  issueEmailVerification,
  issuePasswordReset,
  useActionToken,
} from "../domain/action-tokens.ts";
import { checkEmail, normalizeEmail } from "../domain/email.ts";
import { tokenInvalid } from "../domain/errors.ts";
import { checkPassword } from "../domain/password-policy.ts";
import { changePassword, isDeleted, verifyEmail } from "../domain/user.ts";
import { eventMeta } from "../events.ts";
import { liveUser, revokeActiveSessions } from "./common.ts";
import { userToProto } from "./convert.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, required } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

/** Email verification, password reset and change. */
export function credentialHandlers(
  deps: IdentityDeps,
): Pick<
  Handlers,
  "requestEmailVerification" | "verifyEmail" | "requestPasswordReset" | "resetPassword" | "changePassword"
> {
  const { store } = deps;

  return {
    async requestEmailVerification(_request, ctx) {
      const { userId } = requireUser(ctx);
      const now = new Date();
      await store.transaction(async (tx) => {
        const user = await liveUser(tx, userId, { lock: true });
        const token = generateToken("email_verification");
        const issued = issueEmailVerification(user, { token: token.token, tokenHash: token.hash, now });
        await tx.actionTokens.insert(issued.actionToken);
        tx.record(issued.events, eventMeta(ctx));
      });
      return {};
    },

    async verifyEmail(request, ctx) {
      check(required(request.token, "token"));
      const hash = tokenHash(request.token, "email_verification");
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const used = useActionToken(
          await tx.actionTokens.byHash(hash, { lock: true }),
          "email_verification",
          now,
        );
        const user = await tx.users.byId(used.userId, { lock: true });
        if (!user || isDeleted(user)) throw tokenInvalid();
        const change = verifyEmail(user, now);
        await tx.actionTokens.markUsed(used);
        if (change.user !== user) await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx, user.id));
        return change.user;
      });
      return { user: userToProto(user, now) };
    },

    async requestPasswordReset(request, ctx) {
      const email = normalizeEmail(request.email);
      check(checkEmail(email));
      const found = await store.read().users.byEmail(email);
      // The answer is the same whether or not the email is registered.
      if (!found || isDeleted(found)) return {};
      const now = new Date();
      await store.transaction(async (tx) => {
        const user = await tx.users.byId(found.id, { lock: true });
        if (!user || isDeleted(user)) return;
        const token = generateToken("password_reset");
        const issued = issuePasswordReset(user, { token: token.token, tokenHash: token.hash, now });
        await tx.actionTokens.insert(issued.actionToken);
        tx.record(issued.events, eventMeta(ctx, user.id));
      });
      return {};
    },

    async resetPassword(request, ctx) {
      check(required(request.token, "token"), required(request.newPassword, "newPassword"));
      const hash = tokenHash(request.token, "password_reset");
      const now = new Date();
      // Checked before the slow hash, and again under the locks below.
      const reads = store.read();
      const stored = useActionToken(await reads.actionTokens.byHash(hash), "password_reset", now);
      const owner = await reads.users.byId(stored.userId);
      if (!owner || isDeleted(owner)) throw tokenInvalid();
      check(checkPassword(request.newPassword, { field: "newPassword", email: owner.email }));
      const passwordHash = await hashPassword(request.newPassword);
      await store.transaction(async (tx) => {
        const used = useActionToken(
          await tx.actionTokens.byHash(hash, { lock: true }),
          "password_reset",
          now,
        );
        const user = await tx.users.byId(used.userId, { lock: true });
        if (!user || isDeleted(user)) throw tokenInvalid();
        const meta = eventMeta(ctx, user.id);
        const change = changePassword(user, passwordHash, "reset", now);
        await tx.users.update(change.user);
        await tx.actionTokens.markUsed(used);
        await tx.actionTokens.deleteOutstanding(user.id, "password_reset", used.hash);
        tx.record(change.events, meta);
        await revokeActiveSessions(tx, user.id, "password_changed", now, meta);
      });
      return {};
    },

    async changePassword(request, ctx) {
      const principal = requireUser(ctx);
      check(
        required(request.currentPassword, "currentPassword"),
        required(request.newPassword, "newPassword"),
      );
      const user = await liveUser(store.read(), principal.userId);
      const violations: FieldViolation[] = checkPassword(request.newPassword, {
        field: "newPassword",
        email: user.email,
      });
      if (!(await verifyPassword(user.passwordHash, request.currentPassword))) {
        violations.unshift({ field: "currentPassword", description: "does not match your password" });
      }
      check(violations);
      const passwordHash = await hashPassword(request.newPassword);
      const now = new Date();
      await store.transaction(async (tx) => {
        const locked = await liveUser(tx, principal.userId, { lock: true });
        const meta = eventMeta(ctx);
        const change = changePassword(locked, passwordHash, "change", now);
        await tx.users.update(change.user);
        tx.record(change.events, meta);
        // The session that made the change stays signed in.
        await revokeActiveSessions(tx, locked.id, "password_changed", now, meta, principal.sessionId);
      });
      return {};
    },
  };
}

/** The stored hash of an emailed token; TOKEN_INVALID for anything that is not a token of `kind`. */
function tokenHash(token: string, kind: ActionToken["kind"]): string {
  if (tokenKind(token) !== kind)
    throw tokenInvalid(`the ${kind.replace("_", " ")} token is invalid, used or expired`);
  return hashToken(token);
}
