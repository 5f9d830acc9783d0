import type { DescService } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { Code, invalidArgument, RpcError, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { DomainError, type DomainErrorKind } from "../domain/errors.ts";
import { PeerError } from "../sources/peer-error.ts";
import { StoreUnavailableError } from "../store/errors.ts";

const CODES: Record<Exclude<DomainErrorKind, "invalid">, Code> = {
  not_found: Code.NotFound,
  conflict: Code.Aborted,
  failed_precondition: Code.FailedPrecondition,
};

/**
 * The one place the cart turns failures into gRPC statuses: a DomainError by its kind (the
 * fields it names as google.rpc.BadRequest, its reason as google.rpc.ErrorInfo), Redis out of
 * reach as UNAVAILABLE, a failed peer as UNAVAILABLE or DEADLINE_EXCEEDED (never the peer's own
 * status). Anything else is passed on: the server reports it as an internal error.
 */
export function toRpcError(error: unknown): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof DomainError) {
    if (error.kind === "invalid") return invalidArgument([...error.violations], error.message);
    const details = [];
    if (error.violations.length > 0) {
      details.push({ desc: BadRequestSchema, value: { fieldViolations: [...error.violations] } });
    }
    if (error.reason !== undefined) {
      details.push({
        desc: ErrorInfoSchema,
        value: { domain: "shopmesh", reason: ErrorReason[error.reason] },
      });
    }
    return new RpcError(error.message, CODES[error.kind], undefined, details);
  }
  if (error instanceof StoreUnavailableError) return new RpcError(error.message, Code.Unavailable);
  if (error instanceof PeerError) {
    if (error.code === Code.DeadlineExceeded) {
      return new RpcError(`${error.peer} did not answer in time`, Code.DeadlineExceeded);
    }
    if (error.code === Code.Canceled) return new RpcError("the call was cancelled", Code.Canceled);
    return new RpcError(`${error.peer} is unavailable; try again`, Code.Unavailable);
  }
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
