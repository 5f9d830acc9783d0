import { adminAuditRoutes } from "../audit/admin-routes.ts";
import { adminCatalogRoutes } from "../catalog/admin-routes.ts";
import { adminUserRoutes } from "../identity/admin-routes.ts";
import { adminInventoryRoutes } from "../inventory/admin-routes.ts";
import { adminNotificationRoutes } from "../notifications/admin-routes.ts";
import { adminOrderRoutes } from "../orders/admin-routes.ts";
import type { RouteRegistrar } from "../types.ts";

/**
 * Routes of the admin surface (the admin console; every route already requires a staff token).
 * Each area lives in its own file beside this one, e.g. `./auth.ts` exporting a RouteRegistrar,
 * and is listed here.
 */
export const adminRoutes: readonly RouteRegistrar[] = [
  adminUserRoutes,
  adminCatalogRoutes,
  adminInventoryRoutes,
  adminOrderRoutes,
  adminAuditRoutes,
  adminNotificationRoutes,
];
