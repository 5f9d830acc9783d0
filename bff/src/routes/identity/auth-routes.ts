import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createRoute, z } from "@hono/zod-openapi";
import type { TokenPair, User } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { callContext } from "../../call-context.ts";
import { refreshCookie } from "../../cookies.ts";
import type { BffDeps } from "../../deps.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { requireUser } from "../../middleware/auth/index.ts";
import { cartTokens } from "../cart/routes.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { tokensJson, userJson } from "./mappers.ts";
import {
  ForgotPasswordSchema,
  LoginSchema,
  MobileTokenResponseSchema,
  RefreshTokenBodySchema,
  RegisterSchema,
  ResetPasswordSchema,
  TokenResponseSchema,
  UserSchema,
  VerifyEmailSchema,
} from "./schemas.ts";

/**
 * How a surface hands out refresh tokens: the web keeps it in an HttpOnly cookie scripts never
 * see; mobile apps get it in the JSON body and keep it in the platform's secure storage.
 */
export type RefreshTransport = "cookie" | "body";

const json = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});

/**
 * The authentication routes of a surface (`<prefix>/auth/*`): register, login, refresh, logout,
 * password reset and email verification. The surface decides where the refresh token travels.
 */
export function authRoutes(transport: RefreshTransport): RouteRegistrar {
  const tokenSchema = transport === "body" ? MobileTokenResponseSchema : TokenResponseSchema;
  const tag = "Authentication";

  return (app, deps) => {
    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/register",
        tags: [tag],
        summary: "Create a customer account",
        description: "Sends an email verification link. The password needs 10 to 128 characters.",
        request: { body: json(RegisterSchema) },
        responses: {
          201: {
            description: "Registered",
            content: { "application/json": { schema: z.object({ user: UserSchema }) } },
          },
          ...problemResponses(400, 409, 415, 422, 429),
        },
      }),
      async (c) => {
        const body = c.req.valid("json");
        const { user } = await deps.identity.register(
          {
            email: body.email,
            password: body.password,
            displayName: body.displayName ?? "",
            locale: body.locale ?? "",
          },
          { call: callContext(c) },
        );
        return c.json({ user: userJson(user) }, 201);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/login",
        tags: [tag],
        summary: "Sign in",
        description:
          "With MFA on, a first attempt without `totpCode` or `recoveryCode` answers 401 with code MFA_REQUIRED; " +
          "send the same request again with the code. Repeated failures lock the account for a while (403 ACCOUNT_LOCKED)." +
          (transport === "cookie" ? " The refresh token is set as an HttpOnly cookie." : ""),
        request: { body: json(LoginSchema) },
        responses: {
          200: { description: "Signed in", content: { "application/json": { schema: tokenSchema } } },
          ...problemResponses(400, 401, 403, 415, 429),
        },
      }),
      async (c) => {
        const body = c.req.valid("json");
        const call = callContext(c);
        const answer = await deps.identity.login(
          {
            email: body.email,
            password: body.password,
            totpCode: body.totpCode ?? "",
            recoveryCode: body.recoveryCode ?? "",
            client: { userAgent: call.userAgent ?? "", ipAddress: call.clientIp ?? "" },
          },
          { call },
        );
        await mergeGuestCart(c, deps, answer.tokens?.accessToken ?? "");
        return c.json(issue(c, deps, answer.tokens, answer.user), 200);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/refresh",
        tags: [tag],
        summary: "Get a new access token",
        description:
          (transport === "cookie"
            ? "Reads the refresh token from its cookie and sets the next one. "
            : "Send the refresh token in the body; use the new one from the answer next time. ") +
          "A refresh token works once: presenting a used one signs out that session everywhere (401 REFRESH_TOKEN_REUSED).",
        ...(transport === "body" ? { request: { body: json(RefreshTokenBodySchema) } } : {}),
        responses: {
          200: { description: "New tokens", content: { "application/json": { schema: tokenSchema } } },
          ...problemResponses(400, 401, 429),
        },
      }),
      async (c) => {
        const refreshToken = await presentedRefreshToken(c, deps, transport);
        const call = callContext(c);
        try {
          const answer = await deps.identity.refreshToken(
            { refreshToken, client: { userAgent: call.userAgent ?? "", ipAddress: call.clientIp ?? "" } },
            { call },
          );
          return c.json(issue(c, deps, answer.tokens, answer.user), 200);
        } catch (error) {
          if (transport === "cookie") clearRefreshCookie(c, deps);
          throw error;
        }
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/logout",
        tags: [tag],
        summary: "Sign out this session",
        description:
          "Ends the session of the refresh token; its access tokens expire on their own within minutes.",
        ...(transport === "body" ? { request: { body: json(RefreshTokenBodySchema) } } : {}),
        responses: { 204: { description: "Signed out" }, ...problemResponses(400, 429) },
      }),
      async (c) => {
        const refreshToken =
          transport === "body"
            ? validBody(c).refreshToken
            : (getCookie(c, deps.config.REFRESH_COOKIE_NAME) ?? "");
        if (refreshToken) await deps.identity.logout({ refreshToken }, { call: callContext(c) });
        if (transport === "cookie") clearRefreshCookie(c, deps);
        return c.body(null, 204);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/password/forgot",
        tags: [tag],
        summary: "Ask for a password reset link",
        description: "Answers the same whether or not the email is registered.",
        request: { body: json(ForgotPasswordSchema) },
        responses: {
          202: { description: "If the account exists, a link is on its way" },
          ...problemResponses(400, 429),
        },
      }),
      async (c) => {
        await deps.identity.requestPasswordReset(
          { email: c.req.valid("json").email },
          { call: callContext(c) },
        );
        return c.body(null, 202);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/password/reset",
        tags: [tag],
        summary: "Set a new password with a reset token",
        description: "Signs out every session of the account.",
        request: { body: json(ResetPasswordSchema) },
        responses: { 204: { description: "Password changed" }, ...problemResponses(400, 401, 422, 429) },
      }),
      async (c) => {
        const body = c.req.valid("json");
        await deps.identity.resetPassword(
          { token: body.token, newPassword: body.newPassword },
          { call: callContext(c) },
        );
        return c.body(null, 204);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/email/verify",
        tags: [tag],
        summary: "Confirm an email address with the token from the mail",
        request: { body: json(VerifyEmailSchema) },
        responses: {
          200: {
            description: "Verified",
            content: { "application/json": { schema: z.object({ user: UserSchema }) } },
          },
          ...problemResponses(400, 401, 429),
        },
      }),
      async (c) => {
        const { user } = await deps.identity.verifyEmail(
          { token: c.req.valid("json").token },
          { call: callContext(c) },
        );
        return c.json({ user: userJson(user) }, 200);
      },
    );

    app.use("/auth/email/verification", requireUser());
    app.openapi(
      createRoute({
        method: "post",
        path: "/auth/email/verification",
        tags: [tag],
        summary: "Send the email verification link again",
        security: bearerSecurity,
        responses: { 202: { description: "Sent" }, ...problemResponses(401, 429) },
      }),
      async (c) => {
        await deps.identity.requestEmailVerification({}, { call: callContext(c) });
        return c.body(null, 202);
      },
    );
  };

  /**
   * Moves the guest's cart (its token in the cookie or X-Cart-Token header) into the user's cart
   * right after login. Signing in never fails for the cart's sake: a failed merge is logged and
   * the guest cart stays where it was.
   */
  async function mergeGuestCart(c: Context, deps: BffDeps, accessToken: string): Promise<void> {
    const tokens = cartTokens(deps, transport === "cookie" ? "cookie" : "header");
    const cartToken = tokens.read(c);
    if (!cartToken || !accessToken) return;
    try {
      await deps.cart.mergeCart(
        { cartToken },
        { call: { ...callContext(c), authorization: `Bearer ${accessToken}` }, timeoutMs: 2_000 },
      );
      tokens.forget(c);
    } catch (error) {
      c.get("log")?.warn({ err: error }, "guest cart not merged at login");
    }
  }

  function issue(c: Context, deps: BffDeps, tokens: TokenPair | undefined, user: User | undefined) {
    const body = tokensJson(tokens, user);
    const expires = tokens?.refreshTokenExpireTime
      ? timestampDate(tokens.refreshTokenExpireTime)
      : new Date();
    // Token answers must never be cached by a browser or proxy.
    c.header("Cache-Control", "no-store");
    if (transport === "body") {
      return {
        ...body,
        refreshToken: tokens?.refreshToken ?? "",
        refreshTokenExpireTime: expires.toISOString(),
      };
    }
    const maxAge = Math.max(0, Math.floor((expires.getTime() - Date.now()) / 1000));
    const { name, options } = refreshCookie(deps.config, maxAge);
    setCookie(c, name, tokens?.refreshToken ?? "", options);
    return body;
  }
}

async function presentedRefreshToken(
  c: Context,
  deps: BffDeps,
  transport: RefreshTransport,
): Promise<string> {
  if (transport === "body") return validBody(c).refreshToken;
  const token = getCookie(c, deps.config.REFRESH_COOKIE_NAME);
  if (!token) {
    throw new ProblemError({
      status: 401,
      code: "TOKEN_INVALID",
      detail: "No refresh token cookie: sign in again.",
    });
  }
  return token;
}

/** The validated `{refreshToken}` body of the mobile refresh and logout routes. */
function validBody(c: Context): { refreshToken: string } {
  return (c.req.valid as (target: "json") => { refreshToken: string })("json");
}

function clearRefreshCookie(c: Context, deps: BffDeps): void {
  const { name, options } = refreshCookie(deps.config, 0);
  deleteCookie(c, name, { path: options.path, secure: options.secure, httpOnly: true, sameSite: "Strict" });
}
