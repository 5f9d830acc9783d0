import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";

export interface CorsOptions {
  /** Exact origins allowed ("https://shop.example.com"); "*" means any origin, without credentials. */
  origins: readonly string[] | "*";
  /** Let browsers send cookies (the web surface's refresh cookie). Ignored with "*". */
  credentials?: boolean;
  /** How long browsers may cache a preflight. Default 600 s. */
  maxAgeSeconds?: number;
}

const ALLOW_HEADERS = [
  "Authorization",
  "Content-Type",
  "Idempotency-Key",
  "X-Request-Id",
  "traceparent",
  "tracestate",
];
const EXPOSE_HEADERS = ["X-Request-Id", "Location", "RateLimit", "RateLimit-Policy", "Retry-After"];
const ALLOW_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/**
 * CORS for browser clients: an origin on the allow list is echoed back (with credentials when
 * asked), any other origin gets no Access-Control-Allow-Origin and the browser blocks the read.
 * The rate-limit and request-id headers are exposed so browser code can read them.
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.origins === "*";
  const allowed = new Set(anyOrigin ? [] : options.origins);
  return honoCors({
    origin: anyOrigin ? "*" : (origin) => (allowed.has(origin) ? origin : null),
    credentials: !anyOrigin && (options.credentials ?? false),
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: options.maxAgeSeconds ?? 600,
  });
}
