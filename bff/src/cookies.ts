import type { CookieOptions } from "hono/utils/cookie";
import type { BffConfig } from "./config.ts";

/**
 * Name and attributes of the web surface's refresh-token cookie, for hono's setCookie/deleteCookie:
 * HttpOnly (scripts never see the token), SameSite=Strict, Secure per COOKIE_SECURE. A __Host-
 * cookie must have Path=/; any other name is scoped to the auth routes that read it.
 *
 *   const { name, options } = refreshCookie(deps.config, 30 * 24 * 3600);
 *   setCookie(c, name, refreshToken, options);
 */
export function refreshCookie(
  config: Pick<BffConfig, "COOKIE_SECURE" | "REFRESH_COOKIE_NAME">,
  maxAgeSeconds: number,
): { name: string; options: CookieOptions } {
  const name = config.REFRESH_COOKIE_NAME;
  return {
    name,
    options: {
      httpOnly: true,
      secure: config.COOKIE_SECURE,
      sameSite: "Strict",
      path: name.startsWith("__Host-") ? "/" : "/api/v1/auth",
      maxAge: maxAgeSeconds,
    },
  };
}
