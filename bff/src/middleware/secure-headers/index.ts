import type { MiddlewareHandler } from "hono";
import { secureHeaders as honoSecureHeaders, NONCE } from "hono/secure-headers";

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
  const api = honoSecureHeaders({
    ...COMMON,
    strictTransportSecurity,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
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
  return async function secureHeaders(c, next) {
    await (docsPaths.has(c.req.path) ? docs : api)(c, next);
    if (noStore.test(c.req.path)) {
      c.res.headers.set("Cache-Control", "no-store");
      c.res.headers.set("Pragma", "no-cache");
    } else if (c.req.header("authorization") && !c.res.headers.has("Cache-Control")) {
      c.res.headers.set("Cache-Control", "private, no-store");
    }
  };
}
