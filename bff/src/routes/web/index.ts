import { cartRoutes } from "../cart/routes.ts";
import { catalogRoutes } from "../catalog/storefront-routes.ts";
import { accountRoutes } from "../identity/account-routes.ts";
import { authRoutes } from "../identity/auth-routes.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import { orderRoutes } from "../orders/storefront-routes.ts";
import { shippingRoutes } from "../shipping/routes.ts";
import type { RouteRegistrar } from "../types.ts";

/**
 * Routes of the web surface (the web storefront and account pages (refresh token in a cookie)).
 * Each area lives in its own file beside this one, e.g. `./auth.ts` exporting a RouteRegistrar,
 * and is listed here.
 */
export const webRoutes: readonly RouteRegistrar[] = [
  authRoutes("cookie"),
  accountRoutes,
  cartRoutes("cookie"),
  shippingRoutes("cookie"),
  catalogRoutes("full"),
  orderRoutes("web"),
  notificationRoutes,
];
