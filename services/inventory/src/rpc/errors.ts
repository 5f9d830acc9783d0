import type { DescService } from "@bufbuild/protobuf";
import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { dbErrorToCode } from "@shopmesh/kit/db";
import { Code, invalidArgument, RpcError, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { DomainError, type DomainErrorKind, type ErrorReasonName } from "../domain/errors.ts";

/** The ErrorInfo domain of shopmesh errors (shopmesh/common/v1/errors.proto). */
const ERROR_DOMAIN = "shopmesh";

const CODES: Record<Exclude<DomainErrorKind, "invalid">, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  permission_denied: Code.PermissionDenied,
};

/**
 * An error with a code and a google.rpc.ErrorInfo {domain "shopmesh", reason, metadata}. The
 * kit's rpcError only takes the shared ErrorReason enum; inventory also sends its own
 * OUT_OF_STOCK reason and the short SKUs as metadata.
 */
export function reasonedError(
  code: Code,
  message: string,
  reason: ErrorReasonName | undefined,
  metadata: Readonly<Record<string, string>> = {},
): RpcError {
  const details =
    reason === undefined
      ? []
      : [{ desc: ErrorInfoSchema, value: { domain: ERROR_DOMAIN, reason, metadata: { ...metadata } } }];
  return new RpcError(message, code, undefined, details);
}

/**
 * The one place inventory turns failures into gRPC statuses: a DomainError by its kind (field
 * violations for `invalid`, the reason and metadata as ErrorInfo), a database error by what it
 * means for the caller (a lost race is ABORTED, a database that went away UNAVAILABLE).
 * Anything else is passed on: the server reports it as an internal error.
 */
export function toRpcError(error: unknown): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof DomainError) {
    if (error.kind === "invalid") return invalidArgument([...error.violations], error.message);
    return reasonedError(CODES[error.kind], error.message, error.reason, error.metadata);
  }
  const code = dbErrorToCode(error);
  if (code === "Aborted")
    return reasonedError(Code.Aborted, "a concurrent change won; try again", "STALE_VERSION");
  if (code === "Unavailable")
    return reasonedError(Code.Unavailable, "the database is unavailable", undefined);
  // A unique violation here is a bug (each expected one is mapped where it can happen).
  return error;
}

/** Wraps every handler of a service so its failures go through toRpcError. */
export function withErrorMapping<S extends DescService>(handlers: ServiceHandlers<S>): ServiceHandlers<S> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers as Record<string, Handler>)) {
    wrapped[name] = async (request: unknown, ctx: unknown) => {
      try {
        return await handler(request, ctx);
      } catch (error) {
        throw toRpcError(error);
      }
    };
  }
  return wrapped as ServiceHandlers<S>;
}

type Handler = (request: unknown, ctx: unknown) => Promise<unknown>;
