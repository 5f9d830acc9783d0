import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { Principal } from "@shopmesh/kit/auth";
import { invalidField } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, type PageCursor, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { lockUser, unlockUser } from "../domain/lock.ts";
import { type RoleName, roleFromProto } from "../domain/roles.ts";
import { setRoles } from "../domain/user.ts";
import { actorOf, eventMeta } from "../events.ts";
import type { UserListCursor } from "../store/index.ts";
import { liveUser, revokeActiveSessions } from "./common.ts";
import { sessionToProto, userToProto } from "./convert.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

export const LIST_USERS_PAGE = { defaultSize: 50, maxSize: 200 } as const;

/** The (createTime, id) a ListUsers page token ends at; undefined when the token does not hold one. */
function userCursor({ key, id }: PageCursor): UserListCursor | undefined {
  const createTime = new Date(key);
  return Number.isNaN(createTime.getTime()) || !isUuid(id) ? undefined : { createTime, id };
}

/** User management for support and admins; the access rules name the permission of each call. */
export function adminHandlers(
  deps: IdentityDeps,
): Pick<
  Handlers,
  | "listUsers"
  | "getUser"
  | "setUserRoles"
  | "lockUser"
  | "unlockUser"
  | "listUserSessions"
  | "revokeUserSessions"
> {
  const { store } = deps;

  return {
    async listUsers(request) {
      const limit = pageSize(request.pageSize, LIST_USERS_PAGE);
      const role = request.role === 0 ? undefined : roleFromProto(request.role);
      if (request.role !== 0 && role === undefined) throw invalidField("role", "is not a known role");
      const query = request.query.trim();
      const filters = filterHash([query.toLowerCase(), role ?? ""]);
      const after = decodePageToken(request.pageToken, filters, userCursor);
      const users = await store.read().users.list({ query, ...(role ? { role } : {}) }, after, limit + 1);
      const now = new Date();
      return {
        users: users.slice(0, limit).map((user) => userToProto(user, now)),
        nextPageToken: nextPageToken(
          users,
          limit,
          (last) => ({ key: last.createTime.toISOString(), id: last.id }),
          filters,
        ),
      };
    },

    async getUser(request) {
      check(uuid(request.userId, "userId"));
      return { user: userToProto(await liveUser(store.read(), request.userId), new Date()) };
    },

    async setUserRoles(request, ctx) {
      check(uuid(request.userId, "userId"));
      const roles: RoleName[] = [];
      for (const value of request.roles) {
        const role = roleFromProto(value);
        if (!role) throw invalidField("roles", `unknown role ${value}`);
        roles.push(role);
      }
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const user = await liveUser(tx, request.userId, { lock: true });
        const change = setRoles(user, roles, now, { actorId: actorId(ctx.principal), field: "roles" });
        if (change.user !== user) await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
        return change.user;
      });
      return { user: userToProto(user, now) };
    },

    async lockUser(request, ctx) {
      check(uuid(request.userId, "userId"));
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const user = await liveUser(tx, request.userId, { lock: true });
        const meta = eventMeta(ctx);
        const change = lockUser(user, request.reason, now, {
          actorId: actorId(ctx.principal),
          field: "reason",
        });
        if (change.user !== user) await tx.users.update(change.user);
        tx.record(change.events, meta);
        await revokeActiveSessions(tx, user.id, "locked", now, meta);
        return change.user;
      });
      return { user: userToProto(user, now) };
    },

    async unlockUser(request, ctx) {
      check(uuid(request.userId, "userId"));
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const user = await liveUser(tx, request.userId, { lock: true });
        const change = unlockUser(user, now);
        if (change.user !== user) await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
        return change.user;
      });
      return { user: userToProto(user, now) };
    },

    async listUserSessions(request) {
      check(uuid(request.userId, "userId"));
      const reads = store.read();
      await liveUser(reads, request.userId);
      const sessions = await reads.sessions.listActive(request.userId, new Date());
      return { sessions: sessions.map((session) => sessionToProto(session)) };
    },

    async revokeUserSessions(request, ctx) {
      check(uuid(request.userId, "userId"));
      const now = new Date();
      const revokedCount = await store.transaction(async (tx) => {
        await liveUser(tx, request.userId, { lock: true });
        return revokeActiveSessions(tx, request.userId, "admin", now, eventMeta(ctx));
      });
      return { revokedCount };
    },
  };
}

/** Who acts, for the rules that stop admins from locking themselves out. */
function actorId(principal: Principal | undefined): string {
  return principal?.kind === "user" ? principal.userId : (actorOf(principal) ?? "anonymous");
}
