import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { invalidField, notFound } from "@shopmesh/kit/errors";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { verifyPassword } from "../crypto/passwords.ts";
import { revokeSession } from "../domain/session.ts";
import { deleteUser, updateProfile } from "../domain/user.ts";
import { eventMeta } from "../events.ts";
import { liveUser, revokeActiveSessions } from "./common.ts";
import { addressToProto, sessionToProto, userToProto } from "./convert.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, required, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

/** The caller's own account: profile, sessions, export and deletion. */
export function accountHandlers(
  deps: IdentityDeps,
): Pick<
  Handlers,
  "getProfile" | "updateProfile" | "listSessions" | "revokeSession" | "exportUserData" | "deleteAccount"
> {
  const { store } = deps;

  return {
    async getProfile(_request, ctx) {
      const user = await liveUser(store.read(), requireUser(ctx).userId);
      return { user: userToProto(user, new Date()) };
    },

    async updateProfile(request, ctx) {
      const { userId } = requireUser(ctx);
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const user = await liveUser(tx, userId, { lock: true });
        const patch = { displayName: request.user?.displayName ?? "", locale: request.user?.locale ?? "" };
        const change = updateProfile(user, patch, request.updateMask?.paths ?? [], now, {
          field: "user",
          maskField: "updateMask",
        });
        if (change.user !== user) await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
        return change.user;
      });
      return { user: userToProto(user, now) };
    },

    async listSessions(_request, ctx) {
      const { userId, sessionId } = requireUser(ctx);
      const reads = store.read();
      await liveUser(reads, userId);
      const sessions = await reads.sessions.listActive(userId, new Date());
      return { sessions: sessions.map((session) => sessionToProto(session, sessionId)) };
    },

    async revokeSession(request, ctx) {
      const { userId } = requireUser(ctx);
      check(uuid(request.sessionId, "sessionId"));
      const now = new Date();
      await store.transaction(async (tx) => {
        const session = await tx.sessions.byId(request.sessionId, { lock: true });
        // Another user's session is answered like one that does not exist.
        if (!session || session.userId !== userId) throw notFound(`session ${request.sessionId} not found`);
        const change = revokeSession(session, "user", now);
        if (change.events.length > 0 && (await tx.sessions.revoke(change.session))) {
          tx.record(change.events, eventMeta(ctx));
        }
      });
      return {};
    },

    async exportUserData(_request, ctx) {
      const { userId, sessionId } = requireUser(ctx);
      const reads = store.read();
      const user = await liveUser(reads, userId);
      const [addresses, sessions] = await Promise.all([
        reads.addresses.list(userId),
        reads.sessions.listAll(userId),
      ]);
      const now = new Date();
      return {
        user: userToProto(user, now),
        addresses: addresses.map(addressToProto),
        sessions: sessions.map((session) => sessionToProto(session, sessionId)),
        exportTime: timestampFromDate(now),
      };
    },

    async deleteAccount(request, ctx) {
      const { userId } = requireUser(ctx);
      check(required(request.password, "password"));
      const user = await liveUser(store.read(), userId);
      if (!(await verifyPassword(user.passwordHash, request.password))) {
        throw invalidField("password", "does not match your password");
      }
      const now = new Date();
      await store.transaction(async (tx) => {
        const locked = await liveUser(tx, userId, { lock: true });
        const meta = eventMeta(ctx);
        await revokeActiveSessions(tx, userId, "account_deleted", now, meta);
        const change = deleteUser(locked, now);
        await tx.users.update(change.user);
        // Sessions hold IP addresses and user agents, addresses and tokens personal data too.
        await tx.sessions.deleteForUser(userId);
        await tx.addresses.deleteForUser(userId);
        await tx.actionTokens.deleteForUser(userId);
        tx.record(change.events, meta);
      });
      return {};
    },
  };
}
