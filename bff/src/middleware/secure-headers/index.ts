import type { MiddlewareHandler } from "hono";
import { secureHeaders as honoSecureHeaders, NONCE } from "hono/secure-headers";
import { staticHeaders } from "../static-headers/index.ts";

export interface SecureHeadersOptions {
  /** Paths serving the HTML API reference, which needs scripts and styles. Default ["/docs"]. */
  docsPaths?: readonly string[];
  /** Where the docs page loads its script and fonts from. Default the jsDelivr and Scalar CDNs. */
  docsSources?: readonly string[];
  /** Responses on these paths are never stored by any cache. Default: every `.../auth/...` path. */
  noStore?: RegExp;
  /** Strict-Transport-Security value. Default two years with subdomains. */
  hsts?: string;
}

const COMMON = {
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  crossOriginResourcePolicy: "same-origin",
  crossOriginOpenerPolicy: "same-origin",
  xContentTypeOptions: true,
  xXssProtection: true,
  removePoweredBy: true,
} as const;

/**
 * Security headers for an API: nosniff, frame DENY, HSTS, no referrer, and a CSP that allows
 * nothing (`default-src 'none'`), since no response of the BFF is a page — except the API
 * reference at /docs, whose CSP allows its CDN script by nonce. Responses of auth routes, and of
 * any request that carried credentials (unless the route chose its own Cache-Control), get
 * `Cache-Control: no-store` so tokens and personal data never land in a shared cache.
 */
export function secureHeaders(options: SecureHeadersOptions = {}): MiddlewareHandler {
  const docsPaths = new Set(options.docsPaths ?? ["/docs"]);
  const sources = [...(options.docsSources ?? ["https://cdn.jsdelivr.net", "https://fonts.scalar.com"])];
  const noStore = options.noStore ?? /\/auth(\/|$)/;
  const strictTransportSecurity = options.hsts ?? "max-age=63072000; includeSubDomains";
  // The API's headers never vary: they are set before the handler runs, so they join the
  // response as it is built instead of making the Node adapter copy it afterwards.
  const api: [string, string][] = [
    [
      "Content-Security-Policy",
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Origin-Agent-Cluster", "?1"],
    ["Referrer-Policy", "no-referrer"],
    ["Strict-Transport-Security", strictTransportSecurity],
    ["X-Content-Type-Options", "nosniff"],
    ["X-DNS-Prefetch-Control", "off"],
    ["X-Download-Options", "noopen"],
    ["X-Frame-Options", "DENY"],
    ["X-Permitted-Cross-Domain-Policies", "none"],
    ["X-XSS-Protection", "0"],
  ];
  const docs = honoSecureHeaders({
    ...COMMON,
    strictTransportSecurity,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE, ...sources],
      styleSrc: ["'self'", "'unsafe-inline'", ...sources],
      fontSrc: ["'self'", "data:", ...sources],
      imgSrc: ["'self'", "data:", "https:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
  const setApiHeaders = staticHeaders(api);
  return async function secureHeaders(c, next) {
    if (docsPaths.has(c.req.path)) return docs(c, next);
    setApiHeaders(c);
    // Answers to signed-in or auth requests are private; a handler may still set its own policy.
    if (noStore.test(c.req.path)) {
      c.header("Cache-Control", "no-store");
      c.header("Pragma", "no-cache");
    } else if (c.req.header("authorization")) {
      c.header("Cache-Control", "private, no-store");
    }
    await next();
  };
}
