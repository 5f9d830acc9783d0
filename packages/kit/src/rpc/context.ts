import { Code } from "@connectrpc/connect";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import type { Principal, UserPrincipal } from "../auth/principal.ts";
import type { Logger } from "../log/index.ts";
import { rpcError } from "./errors.ts";

/** Metadata keys that travel with every call. */
export const METADATA = {
  requestId: "x-request-id",
  traceparent: "traceparent",
  authorization: "authorization",
  /** The end client's address, set by the BFF. */
  clientIp: "x-client-ip",
  /** The end client's user agent, set by the BFF. */
  userAgent: "x-client-user-agent",
} as const;

/** What a handler knows about the call it serves. */
export interface RpcContext {
  /** Full service name, e.g. "shopmesh.identity.v1.IdentityService". */
  service: string;
  /** RPC name as in the proto, e.g. "Login". */
  method: string;
  requestId: string;
  traceparent?: string;
  /** The verified caller; undefined for anonymous calls to public RPCs. */
  principal?: Principal;
  /** The raw bearer token of the caller, for calls made on their behalf. */
  authorization?: string;
  clientIp?: string;
  userAgent?: string;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  deadline?: Date;
  /** Child logger with requestId, traceId and userId. */
  log: Logger;
}

/** Metadata to forward on an outgoing call, usually taken from the incoming request. */
export interface CallContext {
  requestId?: string;
  traceparent?: string;
  authorization?: string;
  clientIp?: string;
  userAgent?: string;
}

export interface CallOptions {
  call?: CallContext;
  /** Deadline for this call; defaults to the client's timeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The call context to forward when a handler calls another service on the caller's behalf. */
export function forwardContext(ctx: RpcContext): CallContext {
  return {
    requestId: ctx.requestId,
    traceparent: ctx.traceparent,
    authorization: ctx.authorization,
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent,
  };
}

/** The signed-in user of the call; UNAUTHENTICATED when the caller is anonymous or a service. */
export function requireUser(ctx: RpcContext): UserPrincipal {
  if (ctx.principal?.kind !== "user") {
    throw rpcError(Code.Unauthenticated, "a signed-in user is required", ErrorReason.TOKEN_INVALID);
  }
  return ctx.principal;
}
