import type { Logger } from "@shopmesh/kit/log";
import { RpcError } from "@shopmesh/kit/rpc";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ProblemError, type ProblemInit, problemResponse } from "./problem.ts";
import { problemFromRpcError } from "./rpc-status.ts";

/** Codes for HTTP errors raised by Hono and its middleware (HTTPException). */
const HTTP_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  408: "REQUEST_TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE",
  429: "RATE_LIMITED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export interface ErrorHandlerOptions {
  /** Used when the request has no `log` of its own (request-log middleware not mounted). */
  logger: Logger;
}

/**
 * The one error handler of the BFF (`app.onError`): whatever was thrown — a ProblemError, an
 * RpcError from a service, a Hono HTTPException (malformed JSON, 415 from a route's body
 * declaration) or anything else — leaves as an RFC 9457 application/problem+json response.
 * Anything unrecognised is a 500 whose details go to the log only, with the request id that the
 * client also sees.
 */
export function createErrorHandler(options: ErrorHandlerOptions): ErrorHandler {
  return function onError(error, c) {
    const problem = toProblemInit(error);
    const log = c.get("log") ?? options.logger;
    if (problem.status >= 500) log.error({ err: error, status: problem.status }, "request failed");
    else log.debug({ status: problem.status, code: problem.code, detail: problem.detail }, "request refused");
    return problemResponse(c, problem);
  };
}

/** Unknown routes: 404 problem (the method-not-allowed middleware may turn it into a 405). */
export const notFoundHandler: NotFoundHandler = (c) =>
  problemResponse(c, {
    status: 404,
    code: "NOT_FOUND",
    detail: `No route matches ${c.req.method} ${c.req.path}.`,
  });

/** For hono's methodNotAllowed middleware: the path exists, the method does not. */
export function methodNotAllowedResponse(c: Context, allowed: string[]): Response {
  return problemResponse(c, {
    status: 405,
    code: "METHOD_NOT_ALLOWED",
    detail: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(", ")}.`,
    headers: { Allow: allowed.join(", ") },
  });
}

/** Classifies anything thrown into the problem it becomes. */
export function toProblemInit(error: unknown): ProblemInit {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof RpcError) return problemFromRpcError(error);
  if (error instanceof HTTPException) return problemFromHttpException(error);
  return { status: 500, code: "INTERNAL", detail: "An unexpected error occurred." };
}

function problemFromHttpException(error: HTTPException): ProblemInit {
  const status = error.status as ContentfulStatusCode;
  if (status >= 500)
    return { status, code: HTTP_CODES[status] ?? "INTERNAL", detail: "An unexpected error occurred." };
  const problem: ProblemInit = { status, code: HTTP_CODES[status] ?? "BAD_REQUEST" };
  if (error.message) problem.detail = error.message;
  // Hono's validator raises this one for an unparsable JSON body.
  if (status === 400 && /malformed json/i.test(error.message)) {
    problem.code = "MALFORMED_JSON";
    problem.detail = "The request body is not valid JSON.";
  }
  if (status === 415) problem.detail = "The request body must be JSON (Content-Type: application/json).";
  const authenticate = error.res?.headers.get("WWW-Authenticate");
  if (authenticate) problem.headers = { "WWW-Authenticate": authenticate };
  return problem;
}
