import { createRoute, z } from "@hono/zod-openapi";
import { Code, fieldViolations, RpcError } from "@shopmesh/kit/rpc";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import type { RouteRegistrar } from "../types.ts";
import { cartJson, EMPTY_CART } from "./mappers.ts";
import { AddItemSchema, CartSchema, SkuParamSchema, UpdateItemSchema } from "./schemas.ts";

/**
 * Where a guest's cart token travels: the web keeps it in an HttpOnly cookie; mobile apps send
 * it in the X-Cart-Token header and get it back in the same header (and `cartToken` in the body)
 * when a cart is made for them. A signed-in user's cart is found by their access token instead.
 */
export type CartTokenTransport = "cookie" | "header";

export const CART_TOKEN_HEADER = "X-Cart-Token";
const GUEST_CART_MAX_AGE_S = 7 * 24 * 3600;

const json = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});
const CartAnswer = CartSchema.extend({
  cartToken: z
    .string()
    .optional()
    .openapi({ description: "Mobile: the guest cart's token, when one was just made" }),
});
const ok = (description: string) => ({
  description,
  content: { "application/json": { schema: CartAnswer } },
});

/** The cart routes of a surface (`<prefix>/cart...`): read, add, change, remove, clear. */
export function cartRoutes(transport: CartTokenTransport): RouteRegistrar {
  return (app, deps) => {
    const tag = "Cart";
    const tokens = cartTokens(deps, transport);

    app.openapi(
      createRoute({
        method: "get",
        path: "/cart",
        tags: [tag],
        summary: "The cart, priced now",
        description:
          "Lines flag a changed price or missing stock. Signed in: the user's cart; else the guest's.",
        responses: { 200: ok("The cart"), ...problemResponses(401, 503) },
      }),
      async (c) => {
        const user = c.get("principal")?.kind === "user";
        const token = user ? "" : tokens.read(c);
        if (!user && !token) return c.json(EMPTY_CART, 200);
        try {
          const { cart } = await deps.cart.getCart({ cartToken: token }, { call: callContext(c) });
          return c.json(cartJson(cart), 200);
        } catch (error) {
          if (!user && isUnknownToken(error)) {
            tokens.forget(c);
            return c.json(EMPTY_CART, 200);
          }
          throw error;
        }
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: "/cart/items",
        tags: [tag],
        summary: "Add a product variant",
        description:
          "Adds to the line of the same SKU (at most 99 per line). A guest without a cart gets one.",
        request: { body: json(AddItemSchema) },
        responses: { 200: ok("The cart"), ...problemResponses(400, 401, 404, 422, 503) },
      }),
      async (c) => {
        const body = c.req.valid("json");
        return withGuestCart(c, true, async (cartToken) => {
          const { cart } = await deps.cart.addItem(
            { cartToken, sku: body.sku, quantity: body.quantity },
            { call: callContext(c) },
          );
          return cart;
        });
      },
    );

    app.openapi(
      createRoute({
        method: "patch",
        path: "/cart/items/{sku}",
        tags: [tag],
        summary: "Change a line's quantity (0 removes it)",
        request: { params: SkuParamSchema, body: json(UpdateItemSchema) },
        responses: { 200: ok("The cart"), ...problemResponses(400, 401, 404, 422, 503) },
      }),
      async (c) => {
        const { sku } = c.req.valid("param");
        const { quantity } = c.req.valid("json");
        return withGuestCart(c, false, async (cartToken) => {
          const { cart } = await deps.cart.updateItem({ cartToken, sku, quantity }, { call: callContext(c) });
          return cart;
        });
      },
    );

    app.openapi(
      createRoute({
        method: "delete",
        path: "/cart/items/{sku}",
        tags: [tag],
        summary: "Remove a line",
        request: { params: SkuParamSchema },
        responses: { 200: ok("The cart"), ...problemResponses(400, 401, 503) },
      }),
      async (c) => {
        const { sku } = c.req.valid("param");
        return withGuestCart(c, false, async (cartToken) => {
          const { cart } = await deps.cart.removeItem({ cartToken, sku }, { call: callContext(c) });
          return cart;
        });
      },
    );

    app.openapi(
      createRoute({
        method: "delete",
        path: "/cart",
        tags: [tag],
        summary: "Empty the cart",
        responses: { 200: ok("The empty cart"), ...problemResponses(401, 503) },
      }),
      async (c) =>
        withGuestCart(c, false, async (cartToken) => {
          const { cart } = await deps.cart.clearCart({ cartToken }, { call: callContext(c) });
          return cart;
        }),
    );

    /**
     * Runs a cart call for the user, or for the guest's cart — made first when `create` allows
     * (adding an item) and the guest has none, or their token has expired.
     */
    async function withGuestCart(
      c: Context,
      create: boolean,
      call: (cartToken: string) => Promise<Parameters<typeof cartJson>[0]>,
    ) {
      if (c.get("principal")?.kind === "user") return c.json(cartJson(await call("")), 200);
      let token = tokens.read(c);
      let made = false;
      if (!token) {
        if (!create) return c.json(EMPTY_CART, 200);
        token = await newGuestCart(c);
        made = true;
      }
      try {
        const cart = await call(token);
        return c.json(
          { ...cartJson(cart), ...(made && transport === "header" ? { cartToken: token } : {}) },
          200,
        );
      } catch (error) {
        if (!isUnknownToken(error)) throw error;
        tokens.forget(c);
        if (!create) return c.json(EMPTY_CART, 200);
        const fresh = await newGuestCart(c);
        const cart = await call(fresh);
        return c.json({ ...cartJson(cart), ...(transport === "header" ? { cartToken: fresh } : {}) }, 200);
      }
    }

    async function newGuestCart(c: Context): Promise<string> {
      const { cartToken } = await deps.cart.createGuestCart({}, { call: callContext(c) });
      tokens.write(c, cartToken);
      return cartToken;
    }
  };
}

/** Reads, writes and forgets a guest's cart token on a request. */
export function cartTokens(deps: BffDeps, transport: CartTokenTransport) {
  const name = deps.config.CART_COOKIE_NAME;
  return {
    read(c: Context): string {
      return (transport === "cookie" ? getCookie(c, name) : c.req.header(CART_TOKEN_HEADER)) ?? "";
    },
    write(c: Context, token: string): void {
      if (transport === "header") c.header(CART_TOKEN_HEADER, token);
      else {
        setCookie(c, name, token, {
          httpOnly: true,
          secure: deps.config.COOKIE_SECURE,
          // Lax, not Strict: a shopper following a link to the shop still brings their cart.
          sameSite: "Lax",
          path: "/",
          maxAge: GUEST_CART_MAX_AGE_S,
        });
      }
    },
    forget(c: Context): void {
      if (transport === "cookie") deleteCookie(c, name, { path: "/", secure: deps.config.COOKIE_SECURE });
    },
  };
}

/** The cart service's answer for a guest token it does not know (never issued, or expired). */
function isUnknownToken(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    error.code === Code.NotFound &&
    fieldViolations(error).some((violation) => violation.field === "cartToken")
  );
}
