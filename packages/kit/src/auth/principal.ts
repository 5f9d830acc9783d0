import type { Permission, RoleName } from "./permissions.ts";

/** A signed-in user, from a verified access token. */
export interface UserPrincipal {
  kind: "user";
  userId: string;
  /** The session (refresh-token family) the access token was issued for. */
  sessionId: string;
  roles: RoleName[];
  permissions: ReadonlySet<Permission>;
}

/** Another shopmesh service calling on its own behalf (not for a user). */
export interface ServicePrincipal {
  kind: "service";
  service: string;
}

export type Principal = UserPrincipal | ServicePrincipal;

/** The `iss` of access tokens. */
export const TOKEN_ISSUER = "shopmesh-identity";
/** The `aud` of access tokens. */
export const TOKEN_AUDIENCE = "shopmesh";
/** The `iss` and `aud` of service tokens. */
export const SERVICE_TOKEN_ISSUER = "shopmesh-service";
