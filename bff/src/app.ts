import { OpenAPIHono } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { BffDeps } from "./deps.ts";
import {
  createErrorHandler,
  methodNotAllowedResponse,
  notFoundHandler,
  validationHook,
} from "./errors/index.ts";
import { authenticate, requireStaff } from "./middleware/auth/index.ts";
import { bodyLimit } from "./middleware/body-limit/index.ts";
import { clientIp } from "./middleware/client-ip/index.ts";
import { compress } from "./middleware/compress/index.ts";
import { cors } from "./middleware/cors/index.ts";
import { httpMetrics, metricsHandler } from "./middleware/metrics/index.ts";
import { byClientIp, rateLimit } from "./middleware/rate-limit/index.ts";
import { requestId } from "./middleware/request-id/index.ts";
import { requestLog } from "./middleware/request-log/index.ts";
import { secureHeaders } from "./middleware/secure-headers/index.ts";
import { traceContext } from "./middleware/trace-context/index.ts";
import {
  registerDocs,
  registerHealth,
  registerJwks,
  registerWebhooks,
  SURFACE_PREFIX,
  type Surface,
  type SurfaceRoutes,
  surfaceRoutes,
} from "./routes/index.ts";

export interface AppOptions {
  /** The surfaces' routes; defaults to those listed in routes/<surface>/index.ts. Tests pass their own. */
  routes?: SurfaceRoutes;
  /** Per-check deadline of /readyz. Default 800 ms. */
  readinessTimeoutMs?: number;
}

const SURFACES: readonly Surface[] = ["web", "mobile", "admin"];

/**
 * Builds the BFF: the cross-cutting middleware, the three surfaces (web /api/v1, mobile
 * /mobile/v1, admin /admin/v1 — staff only) with their routes, and the platform endpoints
 * (/.well-known/jwks.json, /openapi.json, /docs, /healthz, /readyz, /metrics).
 *
 * Per request, outermost first: request id → trace context → request log → metrics → security
 * headers → compression → client address → 405 detection → body limit; then on a surface: CORS
 * (web and admin only: mobile apps are not browsers) → token verification → rate limit (per user
 * or address) → stricter rate limit on `<surface>/auth/*` (per address) → staff check (admin).
 * Every failure anywhere becomes problem+json in the one error handler.
 */
export function createApp(deps: BffDeps, options: AppOptions = {}): OpenAPIHono {
  const { config, logger } = deps;
  const routes = options.routes ?? surfaceRoutes;
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(createErrorHandler({ logger }));
  app.notFound(notFoundHandler);

  app.use(
    requestId(),
    traceContext(),
    requestLog({ logger }),
    httpMetrics({ registry: deps.registry }),
    secureHeaders(),
    compress(),
    clientIp({ trustProxy: config.TRUST_PROXY }),
    methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }),
    // The NDJSON import streams its body under a limit of its own.
    bodyLimit({ maxBytes: config.BODY_LIMIT_BYTES, exempt: ["/admin/v1/products/import"] }),
  );

  const browserCors = cors({ origins: config.CORS_ORIGINS, credentials: true });
  const publicCors = cors({ origins: "*" });
  const verifyToken = authenticate({ verifier: deps.verifier });
  const limits = {
    redis: deps.redis,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    prefix: config.RATE_LIMIT_PREFIX,
    logger,
  };
  const apiLimit = rateLimit({ ...limits, name: "api", limit: config.RATE_LIMIT_LIMIT });
  const authLimit = rateLimit({
    ...limits,
    name: "auth",
    limit: config.RATE_LIMIT_AUTH_LIMIT,
    key: byClientIp,
    onStoreError: "closed",
  });

  app.use("/.well-known/*", publicCors);
  app.use("/openapi.json", publicCors);
  for (const surface of SURFACES) {
    const prefix = SURFACE_PREFIX[surface];
    if (surface !== "mobile") app.use(`${prefix}/*`, browserCors);
    app.use(`${prefix}/*`, verifyToken, apiLimit);
    app.use(`${prefix}/auth/*`, authLimit);
    if (surface === "admin") app.use(`${prefix}/*`, requireStaff());
  }

  for (const surface of SURFACES) {
    const surfaceApp = new OpenAPIHono({ defaultHook: validationHook });
    for (const register of routes[surface]) register(surfaceApp, deps);
    app.route(SURFACE_PREFIX[surface], surfaceApp);
  }

  registerWebhooks(
    app,
    deps,
    rateLimit({ ...limits, name: "webhooks", limit: config.RATE_LIMIT_LIMIT, key: byClientIp }),
  );
  registerJwks(app, deps.jwks);
  registerHealth(app, { readiness: deps.readiness, timeoutMs: options.readinessTimeoutMs });
  registerDocs(app, { title: "shopmesh API", version: "1.0.0" });
  app.get("/metrics", metricsHandler(deps.registry));
  return app;
}
