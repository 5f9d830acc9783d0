import { Scalar } from "@scalar/hono-api-reference";
import type { SurfaceApp } from "./types.ts";

export interface DocsOptions {
  title: string;
  version: string;
}

/**
 * `/openapi.json` (OpenAPI 3.1, generated from the zod schemas of every registered route, with
 * the `bearer` security scheme) and `/docs`, the interactive Scalar reference reading it. The
 * page's script tag carries the CSP nonce set by the secure-headers middleware.
 */
export function registerDocs(app: SurfaceApp, options: DocsOptions): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from POST /api/v1/auth/login (or /mobile/v1/auth/login)",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: options.title,
      version: options.version,
      description:
        "shopmesh REST API. Surfaces: /api/v1 (web), /mobile/v1 (mobile), /admin/v1 (admin console). " +
        "Every error is an RFC 9457 application/problem+json document with a `code` to branch on.",
    },
  });
  app.get(
    "/docs",
    Scalar((c) => ({ url: "/openapi.json", pageTitle: options.title, nonce: c.get("secureHeadersNonce") })),
  );
}
