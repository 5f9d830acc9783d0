import { isDomainError } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { Logger } from "@shopmesh/kit/log";
import { hashPassword } from "./crypto/passwords.ts";
import { registerUser, validateRegistration } from "./domain/user.ts";
import type { IdentityStore } from "./store/index.ts";

export interface AdminLogin {
  email: string;
  password: string;
}

/**
 * Creates the demo admin (roles [admin], email verified) unless an account with that email
 * exists; an existing account is left as it is, whatever its roles or password. Safe with several
 * replicas starting together: the unique email decides. Returns true when it created the account.
 */
export async function seedAdmin(store: IdentityStore, login: AdminLogin, logger: Logger): Promise<boolean> {
  const { password, ...profile } = validateRegistration({ ...login, displayName: "Admin", locale: "" });
  if (await store.read().users.byEmail(profile.email)) return false;
  const id = newId();
  const registered = registerUser({
    id,
    ...profile,
    passwordHash: await hashPassword(password),
    roles: ["admin"],
    emailVerified: true,
    now: new Date(),
  });
  try {
    await store.transaction(async (tx) => {
      await tx.users.insert(registered.user);
      tx.record(registered.events, { actor: "service:identity" });
    });
  } catch (error) {
    if (isDomainError(error, "already_exists")) return false;
    throw error;
  }
  logger.info({ userId: id, email: profile.email }, "created the demo admin");
  return true;
}
