import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One bad input field: `field` is a dotted path ("address.postalCode", "items[0].sku"). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The RFC 9457 problem details object every BFF error response carries
 * (`Content-Type: application/problem+json`). `code` is stable and meant for clients to branch on
 * ("MFA_REQUIRED", "VALIDATION_FAILED"); `type` is the same code as a URN.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request path the problem occurred on. */
  instance: string;
  requestId?: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** What a problem is made from; the rest (type, title, instance, requestId) comes from the request. */
export interface ProblemInit {
  status: ContentfulStatusCode;
  /** Upper snake case, e.g. "RATE_LIMITED". */
  code: string;
  /** Human readable, safe to show to the client. */
  detail?: string;
  errors?: FieldError[];
  /** Response headers such as Retry-After or Allow. */
  headers?: Record<string, string>;
  /** Extra members of the problem object (e.g. the readiness checks). */
  extensions?: Record<string, unknown>;
}

/**
 * An error that the BFF's error handler turns into exactly this problem. Thrown by middleware for
 * HTTP-level failures that have no gRPC code (413, 415, 429); failures of services stay RpcErrors.
 */
export class ProblemError extends Error {
  readonly problem: ProblemInit;
  constructor(problem: ProblemInit) {
    super(problem.detail ?? problem.code);
    this.name = "ProblemError";
    this.problem = problem;
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The problem `type` of a code: "MFA_REQUIRED" → "urn:shopmesh:problem:mfa-required". */
export function problemType(code: string): string {
  return `urn:shopmesh:problem:${code.toLowerCase().replaceAll("_", "-")}`;
}

/** Builds the problem object for the current request. */
export function toProblem(c: Context, init: ProblemInit): Problem {
  const problem: Problem = {
    type: problemType(init.code),
    title: TITLES[init.status] ?? (init.status >= 500 ? "Server Error" : "Client Error"),
    status: init.status,
    instance: c.req.path,
    code: init.code,
  };
  if (init.detail) problem.detail = init.detail;
  const requestId = c.get("requestId");
  if (requestId) problem.requestId = requestId;
  if (init.errors && init.errors.length > 0) problem.errors = init.errors;
  for (const [key, value] of Object.entries(init.extensions ?? {})) {
    if (!(key in problem)) problem[key] = value;
  }
  return problem;
}

/**
 * Sends a problem+json response. Every 401 carries `WWW-Authenticate` (RFC 9110 requires it),
 * naming `invalid_token` when a token was presented and refused.
 */
export function problemResponse(c: Context, init: ProblemInit): Response {
  const headers: Record<string, string> = { "Content-Type": PROBLEM_CONTENT_TYPE, ...init.headers };
  if (init.status === 401 && !headers["WWW-Authenticate"]) {
    headers["WWW-Authenticate"] =
      init.code === "TOKEN_INVALID"
        ? 'Bearer realm="shopmesh", error="invalid_token"'
        : 'Bearer realm="shopmesh"';
  }
  return c.body(JSON.stringify(toProblem(c, init)), init.status, headers);
}
