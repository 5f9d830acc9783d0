import { cartRoutes } from "../cart/routes.ts";
import { mobileHomeRoutes } from "../catalog/home-routes.ts";
import { catalogRoutes } from "../catalog/storefront-routes.ts";
import { accountRoutes } from "../identity/account-routes.ts";
import { authRoutes } from "../identity/auth-routes.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import { orderRoutes } from "../orders/storefront-routes.ts";
import { shippingRoutes } from "../shipping/routes.ts";
import type { RouteRegistrar } from "../types.ts";

/**
 * Routes of the mobile surface (mobile apps (compact payloads, refresh token in the body)).
 * Each area lives in its own file beside this one, e.g. `./auth.ts` exporting a RouteRegistrar,
 * and is listed here.
 */
export const mobileRoutes: readonly RouteRegistrar[] = [
  authRoutes("body"),
  accountRoutes,
  cartRoutes("header"),
  shippingRoutes("header"),
  catalogRoutes("compact"),
  mobileHomeRoutes,
  orderRoutes("mobile"),
  notificationRoutes,
];
