export { createIdentityKeys, type IdentityKeys } from "./identity-keys.ts";
export {
  isStaff,
  PERMISSIONS,
  type Permission,
  permissionsOf,
  ROLE_NAMES,
  ROLE_PERMISSIONS,
  type RoleName,
} from "./permissions.ts";
export {
  type Principal,
  SERVICE_TOKEN_ISSUER,
  type ServicePrincipal,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type UserPrincipal,
} from "./principal.ts";
export { createServiceToken, type ServiceTokenOptions } from "./service-token.ts";
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from "./verifier.ts";
