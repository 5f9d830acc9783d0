import type { ClientInfo as ClientInfoMessage } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { notFound } from "@shopmesh/kit/errors";
import type { EventMeta } from "@shopmesh/kit/events";
import { newId } from "@shopmesh/kit/ids";
import type { RpcContext } from "@shopmesh/kit/rpc";
import { generateToken } from "../crypto/tokens.ts";
import { type ClientInfo, revokeSession, type SessionRevokeReason, startSession } from "../domain/session.ts";
import { isDeleted, type User } from "../domain/user.ts";
import type { KeyRing } from "../keys.ts";
import type { LockOption, Repositories, Transaction } from "../store/index.ts";
import { tokenPairToProto } from "./convert.ts";

/** Steps several handlers share: loading a live account, starting and ending sessions. */

/** The account `id`; NOT_FOUND when there is none or it was deleted. */
export async function liveUser(repos: Repositories, id: string, options?: LockOption): Promise<User> {
  const user = await repos.users.byId(id, options);
  if (!user || isDeleted(user)) throw notFound(`user ${id} not found`);
  return user;
}

/** The client of a login or refresh: the request's ClientInfo, else what the BFF sent as metadata. */
export function clientInfo(message: ClientInfoMessage | undefined, ctx: RpcContext): ClientInfo {
  return {
    userAgent: message?.userAgent || ctx.userAgent || "",
    ipAddress: message?.ipAddress || ctx.clientIp || "",
  };
}

/** Starts a session for `user` in `tx` and signs its first access token. */
export async function openSession(
  tx: Transaction,
  keys: KeyRing,
  user: User,
  client: ClientInfo,
  now: Date,
  meta: EventMeta,
) {
  const refresh = generateToken("refresh");
  const started = startSession({ id: newId(), userId: user.id, tokenHash: refresh.hash, client, now });
  await tx.sessions.insert(started.session, started.refreshToken);
  tx.record(started.events, meta);
  const access = await keys.sign({ userId: user.id, sessionId: started.session.id, roles: user.roles });
  return tokenPairToProto(access, refresh.token, started.session);
}

/** Signs out every active session of a user but `exceptId`; returns how many ended. */
export async function revokeActiveSessions(
  tx: Transaction,
  userId: string,
  reason: SessionRevokeReason,
  now: Date,
  meta: EventMeta,
  exceptId?: string,
): Promise<number> {
  let revoked = 0;
  for (const session of await tx.sessions.listActive(userId, now, { lock: true })) {
    if (session.id === exceptId) continue;
    const change = revokeSession(session, reason, now);
    if (await tx.sessions.revoke(change.session)) {
      tx.record(change.events, meta);
      revoked++;
    }
  }
  return revoked;
}
