import { RetryInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { Code, errorReason, fieldViolations, type RpcError } from "@shopmesh/kit/rpc";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ProblemInit } from "./problem.ts";

/**
 * HTTP status per gRPC code. INVALID_ARGUMENT from a service is 422, not 400: the BFF validates
 * the shape of every request against its schema first (a failure there is 400), so a service
 * rejecting a value means the request was well-formed but semantically unacceptable.
 */
const STATUS: Partial<Record<Code, ContentfulStatusCode>> = {
  [Code.InvalidArgument]: 422,
  [Code.OutOfRange]: 422,
  [Code.FailedPrecondition]: 422,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.Aborted]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

/** Details of server-side failures are for the logs; clients get only these. */
const SERVER_DETAIL: Partial<Record<Code, string>> = {
  [Code.Unavailable]: "A service this request needs is unavailable; try again shortly.",
  [Code.DeadlineExceeded]: "A service this request needs did not answer in time.",
};

const REASON_PREFIX = "ERROR_REASON_";

/** The HTTP status an RpcError maps to (500 for codes with no client meaning). */
export function httpStatusOf(code: Code): ContentfulStatusCode {
  return STATUS[code] ?? 500;
}

/**
 * Turns an RpcError into a problem: the status per the table above, `code` = the shopmesh
 * ErrorReason without its prefix ("MFA_REQUIRED") or else the gRPC code name ("NOT_FOUND"),
 * one `errors` entry per field violation, and `Retry-After` from google.rpc.RetryInfo. The
 * service's message is passed on for 4xx only: a 5xx says nothing about the internals.
 */
export function problemFromRpcError(error: RpcError): ProblemInit {
  const status = httpStatusOf(error.code);
  if (status >= 500) {
    return {
      status,
      code: codeName(status === 500 ? Code.Internal : error.code),
      detail: SERVER_DETAIL[error.code] ?? "An unexpected error occurred.",
    };
  }
  const reason = errorReason(error);
  const problem: ProblemInit = {
    status,
    code: reason?.startsWith(REASON_PREFIX)
      ? reason.slice(REASON_PREFIX.length)
      : (reason ?? codeName(error.code)),
    detail: error.rawMessage,
  };
  const violations = fieldViolations(error);
  if (violations.length > 0)
    problem.errors = violations.map((v) => ({ field: v.field, message: v.description }));
  const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
  if (retry) {
    const seconds = Math.max(1, Math.ceil(Number(retry.seconds) + retry.nanos / 1e9));
    problem.headers = { "Retry-After": String(seconds) };
  }
  return problem;
}

/** "InvalidArgument" → "INVALID_ARGUMENT". */
function codeName(code: Code): string {
  return (Code[code] ?? "Unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
