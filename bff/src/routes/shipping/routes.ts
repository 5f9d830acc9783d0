import { create } from "@bufbuild/protobuf";
import { createRoute } from "@hono/zod-openapi";
import { BadRequestSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import type { Cart } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { Code, fieldViolations, RpcError } from "@shopmesh/kit/rpc";
import type { Context } from "hono";
import { callContext } from "../../call-context.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { type CartTokenTransport, cartTokens } from "../cart/routes.ts";
import type { RouteRegistrar } from "../types.ts";
import { cartQuotesJson, cartWeightGrams } from "./mappers.ts";
import { CartShippingQuotesSchema, ShippingQuoteQuerySchema } from "./schemas.ts";

/**
 * Shipping quotes for the caller's cart (`<prefix>/cart/shipping-quotes`): the cart of the
 * signed-in user, or the guest's cart by its token (cookie on the web, X-Cart-Token on mobile,
 * as the cart routes keep it), weighed and quoted by the shipping service.
 */
export function shippingRoutes(transport: CartTokenTransport): RouteRegistrar {
  return (app, deps) => {
    const tokens = cartTokens(deps, transport);

    app.openapi(
      createRoute({
        method: "get",
        path: "/cart/shipping-quotes",
        tags: ["Cart"],
        summary: "Shipping quotes for the cart",
        description:
          "Every shipping method serving the destination country and the weight of the cart's purchasable " +
          "lines, cheapest first. 422 CART_NOT_PURCHASABLE when the cart has nothing to ship; " +
          "422 SHIPPING_UNAVAILABLE when no method takes the parcel there.",
        request: { query: ShippingQuoteQuerySchema },
        responses: {
          200: {
            description: "The quotes",
            content: { "application/json": { schema: CartShippingQuotesSchema } },
          },
          ...problemResponses(400, 401, 422, 503),
        },
      }),
      async (c) => {
        const { countryCode, postalCode } = c.req.valid("query");
        const cart = await callersCart(c);
        const lines = cart?.lines ?? [];
        if (!lines.some((line) => line.purchasable)) {
          throw nothingToShip("The cart has no lines that can be bought.");
        }
        const weightGrams = cartWeightGrams(lines);
        if (weightGrams <= 0) throw nothingToShip("The cart's products have no shipping weight.");
        const { quotes } = await withQueryFields(() =>
          deps.shipping.getQuotes(
            { destination: { countryCode, postalCode: postalCode ?? "" }, weightGrams },
            { call: callContext(c) },
          ),
        );
        return c.json(cartQuotesJson(countryCode, weightGrams, quotes), 200);
      },
    );

    /** The user's cart, or the guest's; undefined for a guest without a (known) cart. */
    async function callersCart(c: Context): Promise<Cart | undefined> {
      const user = c.get("principal")?.kind === "user";
      const token = user ? "" : tokens.read(c);
      if (!user && !token) return undefined;
      try {
        return (await deps.cart.getCart({ cartToken: token }, { call: callContext(c) })).cart;
      } catch (error) {
        if (user || !isUnknownToken(error)) throw error;
        tokens.forget(c);
        return undefined;
      }
    }
  };
}

function nothingToShip(detail: string): ProblemError {
  return new ProblemError({
    status: 422,
    code: "CART_NOT_PURCHASABLE",
    detail,
    errors: [{ field: "cart", message: "has nothing to ship" }],
  });
}

/**
 * The cart service's answer for a guest token it does not know (never issued, or expired) or
 * cannot read (a tampered cookie): either way the guest has no cart to ship.
 */
function isUnknownToken(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    (error.code === Code.NotFound || error.code === Code.InvalidArgument) &&
    fieldViolations(error).some((violation) => violation.field === "cartToken")
  );
}

/**
 * Runs the quote call and names shipping's field violations ("destination.countryCode") after the
 * query parameters the client sent ("query.countryCode"), as the BFF's own validation does.
 */
async function withQueryFields<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    const violations = fieldViolations(error);
    if (violations.length === 0) throw error;
    const renamed = violations.map((v) => ({
      field: v.field.startsWith("destination.") ? `query.${v.field.slice("destination.".length)}` : v.field,
      description: v.description,
    }));
    throw new RpcError(error.rawMessage, error.code, error.metadata, [
      { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: renamed }) },
    ]);
  }
}
