import {
  isStaff,
  type Permission,
  type Principal,
  type TokenVerifier,
  type UserPrincipal,
} from "@shopmesh/kit/auth";
import { RpcError } from "@shopmesh/kit/rpc";
import type { Context, MiddlewareHandler } from "hono";
import { ProblemError } from "../../errors/index.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The verified caller; undefined for anonymous requests. */
    principal: Principal | undefined;
  }
}

export interface AuthenticateOptions {
  verifier: TokenVerifier;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Verifies `Authorization: Bearer <jwt>` when present and sets `c.get("principal")`. No header
 * means an anonymous request (routes that need a user add requireUser()); a header that is not a
 * valid Bearer token is refused with 401 TOKEN_INVALID even on public routes, so a client with an
 * expired token learns to refresh it instead of silently getting anonymous answers.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  return async function authenticate(c, next) {
    const header = c.req.header("authorization");
    if (header === undefined) {
      c.set("principal", undefined);
      return next();
    }
    const token = BEARER.exec(header.trim())?.[1];
    if (!token) throw tokenInvalid("The Authorization header must be 'Bearer <access token>'.");
    let principal: Principal;
    try {
      principal = await options.verifier.verify(token);
    } catch (error) {
      // The kit's verifier throws Unauthenticated for bad tokens and other codes (Unavailable)
      // when it could not fetch keys: those keep their own meaning.
      if (error instanceof RpcError) throw error;
      throw tokenInvalid("The access token is invalid or expired.");
    }
    c.set("principal", principal);
    const log = c.get("log");
    if (log) {
      c.set(
        "log",
        log.child(principal.kind === "user" ? { userId: principal.userId } : { caller: principal.service }),
      );
    }
    return next();
  };
}

/** Only signed-in users: 401 without a token, 403 for a service token. */
export function requireUser(): MiddlewareHandler {
  return async function requireUser(c, next) {
    currentUser(c);
    return next();
  };
}

/** Only staff (support or admin roles): the guard of the whole admin surface. */
export function requireStaff(): MiddlewareHandler {
  return async function requireStaff(c, next) {
    const user = currentUser(c);
    if (!isStaff(user.roles)) throw forbidden("This requires a staff account.");
    return next();
  };
}

/** Only users whose roles grant `permission` (see @shopmesh/kit/auth permissions). */
export function requirePermission(permission: Permission): MiddlewareHandler {
  return async function requirePermission(c, next) {
    const user = currentUser(c);
    if (!user.permissions.has(permission)) throw forbidden(`This requires the permission "${permission}".`);
    return next();
  };
}

/**
 * The signed-in user of the request, for handlers: throws the 401/403 problem when there is none,
 * so after requireUser() it never throws and narrows the type.
 *
 *   const user = currentUser(c);
 */
export function currentUser(c: Context): UserPrincipal {
  const principal = c.get("principal");
  if (!principal) {
    throw new ProblemError({ status: 401, code: "AUTHENTICATION_REQUIRED", detail: "Sign in to do this." });
  }
  if (principal.kind !== "user") throw forbidden("This requires a user's access token.");
  return principal;
}

function tokenInvalid(detail: string): ProblemError {
  return new ProblemError({ status: 401, code: "TOKEN_INVALID", detail });
}

function forbidden(detail: string): ProblemError {
  return new ProblemError({ status: 403, code: "PERMISSION_DENIED", detail });
}
