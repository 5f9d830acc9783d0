import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { accountHandlers } from "./account.ts";
import { addressHandlers } from "./addresses.ts";
import { adminHandlers } from "./admin.ts";
import { authHandlers } from "./auth.ts";
import { credentialHandlers } from "./credentials.ts";
import type { IdentityDeps } from "./deps.ts";
import { mfaHandlers } from "./mfa.ts";

export type { IdentityDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.identity.v1.IdentityService. Each maps its request to domain calls
 * and store operations and the result back to proto; failures map to statuses in errors.ts.
 */
export function createIdentityHandlers(deps: IdentityDeps): ServiceHandlers<typeof IdentityService> {
  return withErrorMapping(IdentityService, {
    ...authHandlers(deps),
    ...credentialHandlers(deps),
    ...mfaHandlers(deps),
    ...accountHandlers(deps),
    ...addressHandlers(deps),
    ...adminHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say: (public) calls need no token; (self) calls need
 * a signed-in user (handlers refuse service principals with requireUser); (admin: X) calls need
 * permission X.
 */
export const IDENTITY_ACCESS_RULES: AccessRules<typeof IdentityService> = {
  register: "public",
  login: "public",
  refreshToken: "public",
  logout: "public",
  getJwks: "public",
  rotateSigningKey: { permission: "keys.rotate" },
  requestEmailVerification: "authenticated",
  verifyEmail: "public",
  requestPasswordReset: "public",
  resetPassword: "public",
  changePassword: "authenticated",
  enrollTotp: "authenticated",
  confirmTotp: "authenticated",
  disableTotp: "authenticated",
  regenerateRecoveryCodes: "authenticated",
  getProfile: "authenticated",
  updateProfile: "authenticated",
  listSessions: "authenticated",
  revokeSession: "authenticated",
  listAddresses: "authenticated",
  createAddress: "authenticated",
  updateAddress: "authenticated",
  deleteAddress: "authenticated",
  exportUserData: "authenticated",
  deleteAccount: "authenticated",
  listUsers: { permission: "users.read" },
  getUser: { permission: "users.read" },
  setUserRoles: { permission: "users.roles" },
  lockUser: { permission: "users.lock" },
  unlockUser: { permission: "users.lock" },
  listUserSessions: { permission: "users.read" },
  revokeUserSessions: { permission: "users.sessions" },
};
