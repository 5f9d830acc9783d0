import type { DescService } from "@bufbuild/protobuf";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { dbErrorToCode } from "@shopmesh/kit/db";
import { Code, invalidArgument, RpcError, rpcError, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { DomainError, type DomainErrorKind } from "../domain/errors.ts";

const CODES: Record<Exclude<DomainErrorKind, "invalid">, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  conflict: Code.Aborted,
  permission_denied: Code.PermissionDenied,
  failed_precondition: Code.FailedPrecondition,
};

/**
 * The one place catalog turns failures into gRPC statuses: a DomainError by its kind (field
 * violations for `invalid`, the reason as ErrorInfo), a database error by what it means for the
 * caller (a lost race is ABORTED, a database that went away UNAVAILABLE). Anything else is
 * passed on: the server reports it as an internal error.
 */
export function toRpcError(error: unknown): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof DomainError) {
    if (error.kind === "invalid") return invalidArgument([...error.violations], error.message);
    return rpcError(CODES[error.kind], error.message, error.reason);
  }
  const code = dbErrorToCode(error);
  if (code === "Aborted") {
    return rpcError(Code.Aborted, "a concurrent change won; try again", ErrorReason.STALE_VERSION);
  }
  if (code === "Unavailable") return rpcError(Code.Unavailable, "the database is unavailable");
  // A unique violation here is a bug (each expected one is mapped where it can happen).
  return error;
}

/** Wraps every handler of a service (unary, server- and client-streaming) so its failures go through toRpcError. */
export function withErrorMapping<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
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
              throw toRpcError(error);
            }
          }
        : async (request: unknown, ctx: unknown) => {
            try {
              return await (handler(request, ctx) as Promise<unknown>);
            } catch (error) {
              throw toRpcError(error);
            }
          };
  }
  return wrapped as ServiceHandlers<S>;
}

type Handler = (request: unknown, ctx: unknown) => Promise<unknown> | AsyncIterable<unknown>;
