import type { MiddlewareHandler } from "hono";
import { staticHeaders } from "../static-headers/index.ts";

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
 *
 * Every header is set before the handler runs, so it joins the response as it is built (hono's
 * own cors middleware touches `c.res` before and after the handler, which makes the Node adapter
 * copy every response twice).
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.origins === "*";
  const allowed = new Set(anyOrigin ? [] : options.origins);
  const credentials = !anyOrigin && (options.credentials ?? false);
  const expose = EXPOSE_HEADERS.join(",");
  const preflight = {
    "Access-Control-Max-Age": String(options.maxAgeSeconds ?? 600),
    "Access-Control-Allow-Methods": ALLOW_METHODS.join(","),
    "Access-Control-Allow-Headers": ALLOW_HEADERS.join(","),
  };
  const always = staticHeaders([
    ["Access-Control-Expose-Headers", expose],
    ...(credentials ? [["Access-Control-Allow-Credentials", "true"] as const] : []),
  ]);
  return async function cors(c, next) {
    const origin = c.req.header("origin");
    const allowOrigin = anyOrigin ? "*" : origin && allowed.has(origin) ? origin : undefined;
    if (allowOrigin) c.header("Access-Control-Allow-Origin", allowOrigin);
    always(c);
    // The answer differs by Origin unless every origin gets "*".
    if (!anyOrigin) c.header("Vary", "Origin", { append: true });
    if (c.req.method === "OPTIONS") return c.body(null, 204, preflight);
    await next();
  };
}
