import type { OpenAPIHono } from "@hono/zod-openapi";
import type { BffDeps } from "../deps.ts";

/** The app a surface's routes are registered on; it is mounted under the surface prefix. */
export type SurfaceApp = OpenAPIHono;

/**
 * Registers one area's routes (auth, account, orders…) on a surface, with `createRoute` +
 * `app.openapi(...)` so the same zod schemas validate requests and document them:
 *
 *   export const registerAccount: RouteRegistrar = (app, deps) => {
 *     app.openapi(getProfile, async (c) => { ... });
 *   };
 */
export type RouteRegistrar = (app: SurfaceApp, deps: BffDeps) => void;

export type Surface = "web" | "mobile" | "admin";

/** The registrars of each surface, in registration order. */
export type SurfaceRoutes = Record<Surface, readonly RouteRegistrar[]>;

/** Where each surface is mounted (ARCHITECTURE.md section 8). */
export const SURFACE_PREFIX: Record<Surface, string> = {
  web: "/api/v1",
  mobile: "/mobile/v1",
  admin: "/admin/v1",
};

/** The OpenAPI security requirement of routes that need an access token. */
export const bearerSecurity: { bearer: string[] }[] = [{ bearer: [] }];
