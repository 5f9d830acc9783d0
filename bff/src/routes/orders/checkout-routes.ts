import { createRoute, z } from "@hono/zod-openapi";
import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import type { Context } from "hono";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import { requireUser } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar, SURFACE_PREFIX } from "../types.ts";
import { orderJson, placeOrderFields } from "./mappers.ts";
import { CheckoutSchema, IdempotencyHeadersSchema, OrderSchema } from "./schemas.ts";

/**
 * How long the BFF waits for PlaceOrder. The saga (reserve, quote, authorise, capture, ship) runs
 * inside that one call with deadlines of its own per step, so it needs more than the client's
 * default 5 s; a client that still times out retries with the same Idempotency-Key and gets the
 * same order.
 */
export const CHECKOUT_TIMEOUT_MS = 30_000;

/**
 * `POST <prefix>/checkout` on the web and mobile surfaces: the signed-in customer's cart becomes
 * an order. The order service reads the cart itself with the forwarded token, so the body holds
 * only what the cart lacks (address, method, payment token).
 */
export function checkoutRoutes(surface: "web" | "mobile"): RouteRegistrar {
  return (app, deps) => {
    app.use("/checkout", requireUser());

    app.openapi(
      createRoute({
        method: "post",
        path: "/checkout",
        tags: ["Checkout"],
        summary: "Place an order from my cart",
        description:
          "Runs checkout to its end: reserves stock, quotes shipping, charges the payment and creates the " +
          "shipment. Answers 201 with the order, whose `status` says how it ended: `confirmed` (the cart is " +
          "emptied), `failed` (`failure.code` says why, e.g. PAYMENT_DECLINED or OUT_OF_STOCK; nothing is " +
          "held or charged; try again with a new Idempotency-Key) or `pending` (the payment provider " +
          "confirms later). A retry with the same Idempotency-Key and body answers the same order, again " +
          "with 201, and never charges twice; with another body it is 422 IDEMPOTENCY_KEY_REUSED. An empty " +
          "cart or one with lines that cannot be bought is 422 CART_NOT_PURCHASABLE.",
        security: bearerSecurity,
        request: {
          headers: IdempotencyHeadersSchema,
          body: { content: { "application/json": { schema: CheckoutSchema } }, required: true },
        },
        responses: {
          201: {
            description: "The order (confirmed, failed or pending)",
            headers: z.object({
              Location: z.string().openapi({ example: `${SURFACE_PREFIX[surface]}/orders/0193a0c4-…` }),
            }),
            content: { "application/json": { schema: OrderSchema } },
          },
          ...problemResponses(400, 401, 403, 409, 422, 429, 503),
        },
      }),
      async (c) => {
        const key = c.req.valid("header")["idempotency-key"];
        const { order } = await deps.order.placeOrder(
          { idempotencyKey: key, ...placeOrderFields(c.req.valid("json")) },
          { call: callContext(c), timeoutMs: CHECKOUT_TIMEOUT_MS },
        );
        const body = orderJson(order);
        if (order?.status === OrderStatus.CONFIRMED) await clearCart(c, deps, body.id);
        c.header("Location", `${SURFACE_PREFIX[surface]}/orders/${body.id}`);
        c.header("Cache-Control", "no-store");
        return c.json(body, 201);
      },
    );
  };
}

/**
 * Empties the customer's cart after a confirmed order. The order stands whatever happens here, so
 * a failure is logged, not answered: the customer sees bought items still in the cart at worst.
 */
async function clearCart(c: Context, deps: BffDeps, orderId: string): Promise<void> {
  try {
    await deps.cart.clearCart({ cartToken: "" }, { call: callContext(c) });
  } catch (err) {
    (c.get("log") ?? deps.logger).warn({ err, orderId }, "could not clear the cart after checkout");
  }
}
