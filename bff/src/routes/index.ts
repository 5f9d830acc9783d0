import { adminRoutes } from "./admin/index.ts";
import { mobileRoutes } from "./mobile/index.ts";
import type { SurfaceRoutes } from "./types.ts";
import { webRoutes } from "./web/index.ts";

export { registerDocs } from "./docs.ts";
export { registerHealth } from "./health.ts";
export { registerJwks } from "./jwks.ts";
export {
  bearerSecurity,
  type RouteRegistrar,
  SURFACE_PREFIX,
  type Surface,
  type SurfaceApp,
  type SurfaceRoutes,
} from "./types.ts";
export { registerWebhooks, WEBHOOK_SIGNATURE_HEADER } from "./webhooks.ts";

/** The routes the BFF serves. */
export const surfaceRoutes: SurfaceRoutes = { web: webRoutes, mobile: mobileRoutes, admin: adminRoutes };
