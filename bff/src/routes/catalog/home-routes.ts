import { createRoute, z } from "@hono/zod-openapi";
import { ProductSortOrder, ProductView } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { Context } from "hono";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import { cartTokens } from "../cart/routes.ts";
import type { RouteRegistrar } from "../types.ts";
import { categoryJson, compactCardJson } from "./mappers.ts";
import { CategorySchema, CompactProductCardSchema } from "./schemas.ts";

const FEATURED = 10;
// The home screen waits for the cart count at most this long; the catalog parts matter more.
const CART_TIMEOUT_MS = 800;

const HomeSchema = z
  .object({
    featured: z.array(CompactProductCardSchema).openapi({ description: "The newest products" }),
    categories: z.array(CategorySchema).openapi({ description: "The top-level categories" }),
    cartItemCount: z.number().int().openapi({ description: "0 when the cart could not be read" }),
  })
  .openapi("MobileHome");

/**
 * The mobile home screen in one call (`/mobile/v1/home`): featured products, top-level
 * categories and the cart's item count, fetched in parallel. A cart failure never fails the
 * screen: the count is then 0.
 */
export const mobileHomeRoutes: RouteRegistrar = (app, deps) => {
  app.openapi(
    createRoute({
      method: "get",
      path: "/home",
      tags: ["Home"],
      summary: "The home screen",
      description: "Guests send their cart token in X-Cart-Token; signed-in users their access token.",
      request: { headers: z.object({ "x-cart-token": z.string().max(200).optional() }) },
      responses: {
        200: { description: "The home screen", content: { "application/json": { schema: HomeSchema } } },
        ...problemResponses(503),
      },
    }),
    async (c) => {
      const call = { call: callContext(c) };
      const [search, tree, cartItemCount] = await Promise.all([
        deps.catalog.searchProducts(
          { sort: ProductSortOrder.NEWEST, pageSize: FEATURED, view: ProductView.BASIC },
          call,
        ),
        deps.catalog.listCategories({}, call),
        cartCount(c, deps),
      ]);
      return c.json(
        {
          featured: search.products.map(compactCardJson),
          categories: tree.categories.filter((category) => !category.parentId).map(categoryJson),
          cartItemCount,
        },
        200,
      );
    },
  );
};

async function cartCount(c: Context, deps: BffDeps): Promise<number> {
  const user = c.get("principal")?.kind === "user";
  const token = user ? "" : cartTokens(deps, "header").read(c);
  if (!user && !token) return 0;
  try {
    const { cart } = await deps.cart.getCart(
      { cartToken: token },
      { call: callContext(c), timeoutMs: CART_TIMEOUT_MS },
    );
    return cart?.itemCount ?? 0;
  } catch (error) {
    (c.get("log") ?? deps.logger).debug({ err: error }, "home: cart count unavailable");
    return 0;
  }
}
