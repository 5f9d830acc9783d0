import type { DescService } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { dbErrorToCode } from "../db/errors.ts";
import { Code, ERROR_DOMAIN, invalidArgument, RpcError } from "../rpc/errors.ts";
import type { ServiceHandlers } from "../rpc/types.ts";
import {
  DomainError,
  type DomainErrorKind,
  type ErrorReasonName,
  type FieldViolation,
} from "./domain-error.ts";

const CODES: Record<Exclude<DomainErrorKind, "invalid">, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  conflict: Code.Aborted,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  failed_precondition: Code.FailedPrecondition,
  unavailable: Code.Unavailable,
};

/**
 * An error with a code, a google.rpc.ErrorInfo {domain "shopmesh", reason, metadata} when there is
 * a reason, and a google.rpc.BadRequest when it names request fields (a NOT_FOUND naming the id
 * field that pointed nowhere).
 */
export function reasonedError(
  code: Code,
  message: string,
  reason: ErrorReasonName | undefined,
  metadata: Readonly<Record<string, string>> = {},
  violations: readonly FieldViolation[] = [],
): RpcError {
  const details = [];
  if (violations.length > 0) {
    details.push({ desc: BadRequestSchema, value: { fieldViolations: violations.map((v) => ({ ...v })) } });
  }
  if (reason !== undefined) {
    details.push({
      desc: ErrorInfoSchema,
      value: { domain: ERROR_DOMAIN, reason, metadata: { ...metadata } },
    });
  }
  return new RpcError(message, code, undefined, details);
}

/** Turns a service's own infrastructure failures (a peer down, its store out of reach) into statuses. */
export type ErrorMapper = (error: unknown) => RpcError | undefined;

/**
 * The one place a service's failures become gRPC statuses: a DomainError by its kind (field
 * violations for `invalid`, the reason and metadata as ErrorInfo), a database error by what it
 * means for the caller (a lost race is ABORTED, a database that went away UNAVAILABLE). Anything
 * else is passed on: the server reports it as an internal error.
 */
export function toRpcError(error: unknown, map?: ErrorMapper): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof DomainError) {
    if (error.kind === "invalid") return invalidArgument([...error.violations], error.message);
    return reasonedError(CODES[error.kind], error.message, error.reason, error.metadata, error.violations);
  }
  const mapped = map?.(error);
  if (mapped) return mapped;
  const code = dbErrorToCode(error);
  if (code === "Aborted")
    return reasonedError(Code.Aborted, "a concurrent change won; try again", "STALE_VERSION");
  if (code === "Unavailable")
    return reasonedError(Code.Unavailable, "the database is unavailable", undefined);
  // A unique violation here is a bug (each expected one is mapped where it can happen).
  return error;
}

/**
 * Wraps every handler of a service (unary, server- and client-streaming) so its failures go
 * through toRpcError (and first through `map`, for failures only the service knows):
 *
 *   server.register(InventoryService, withErrorMapping(InventoryService, handlers), rules);
 */
export function withErrorMapping<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
  map?: ErrorMapper,
): ServiceHandlers<S> {
  const wrapped: Record<string, unknown> = {};
  for (const method of service.methods) {
    const handler = (handlers as Record<string, Handler>)[method.localName];
    if (!handler) continue;
    wrapped[method.localName] =
      method.methodKind === "server_streaming"
        ? async function* (request: unknown, ctx: unknown) {
            try {
              yield* handler(request, ctx) as AsyncIterable<unknown>;
            } catch (error) {
              throw toRpcError(error, map);
            }
          }
        : async (request: unknown, ctx: unknown) => {
            try {
              return await (handler(request, ctx) as Promise<unknown>);
            } catch (error) {
              throw toRpcError(error, map);
            }
          };
  }
  return wrapped as ServiceHandlers<S>;
}

type Handler = (request: unknown, ctx: unknown) => Promise<unknown> | AsyncIterable<unknown>;
