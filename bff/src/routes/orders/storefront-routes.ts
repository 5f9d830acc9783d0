import { createRoute, type z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import { requireUser } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar, type SurfaceApp } from "../types.ts";
import { checkoutRoutes } from "./checkout-routes.ts";
import { historyJson, orderJson, orderSummaryJson, returnJson } from "./mappers.ts";
import {
  CancelOrderSchema,
  OrderDetailSchema,
  OrderIdParamSchema,
  OrderListSchema,
  OrderSchema,
  OrderSummaryListSchema,
  PageQuerySchema,
  ReturnListSchema,
  ReturnRequestSchema,
  ReturnSchema,
} from "./schemas.ts";

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});
const tag = "Orders";
const security = bearerSecurity;

/**
 * The customer's side of orders: checkout plus `<prefix>/orders...`. The web gets full orders in
 * lists and can cancel and ask for returns; mobile gets compact tiles in lists and the same order
 * detail. Every route needs a signed-in user; the order service answers 404 for another
 * customer's order, so nobody learns that it exists.
 */
export function orderRoutes(surface: "web" | "mobile"): RouteRegistrar {
  return (app, deps) => {
    checkoutRoutes(surface)(app, deps);
    app.use("/orders", requireUser());
    app.use("/orders/*", requireUser());
    if (surface === "web") registerFullList(app, deps);
    else registerCompactList(app, deps);
    registerDetail(app, deps);
    if (surface === "web") registerActions(app, deps);
  };
}

function registerFullList(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/orders",
      tags: [tag],
      summary: "My orders, newest first",
      description: "Cursor paged: pass `nextPageToken` of the answer as `pageToken`.",
      security,
      request: { query: PageQuerySchema },
      responses: { 200: ok("A page of orders", OrderListSchema), ...problemResponses(400, 401, 422, 503) },
    }),
    async (c) => {
      const { pageSize, pageToken } = c.req.valid("query");
      const answer = await deps.order.listMyOrders(
        { pageSize: pageSize ?? 0, pageToken: pageToken ?? "" },
        { call: callContext(c) },
      );
      return c.json(
        {
          orders: answer.orders.map(orderJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );
}

function registerCompactList(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/orders",
      tags: [tag],
      summary: "My orders as tiles, newest first",
      description: "Cursor paged: pass `nextPageToken` of the answer as `pageToken`.",
      security,
      request: { query: PageQuerySchema },
      responses: {
        200: ok("A page of order summaries", OrderSummaryListSchema),
        ...problemResponses(400, 401, 422, 503),
      },
    }),
    async (c) => {
      const { pageSize, pageToken } = c.req.valid("query");
      const answer = await deps.order.listMyOrders(
        { pageSize: pageSize ?? 0, pageToken: pageToken ?? "" },
        { call: callContext(c) },
      );
      return c.json(
        {
          orders: answer.orders.map(orderSummaryJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );
}

function registerDetail(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/orders/{id}",
      tags: [tag],
      summary: "One of my orders, with its history",
      security,
      request: { params: OrderIdParamSchema },
      responses: { 200: ok("The order", OrderDetailSchema), ...problemResponses(400, 401, 404, 503) },
    }),
    async (c) => {
      const answer = await deps.order.getOrder(
        { orderId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      c.header("Cache-Control", "no-store");
      return c.json({ ...orderJson(answer.order), history: answer.history.map(historyJson) }, 200);
    },
  );
}

function registerActions(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/orders/{id}/cancel",
      tags: [tag],
      summary: "Cancel an order that has not shipped",
      description:
        "The stock goes back and the payment is refunded in full. Cancelling a cancelled order answers " +
        "it unchanged; a shipped one is 422 INVALID_STATE.",
      security,
      request: {
        params: OrderIdParamSchema,
        body: { content: { "application/json": { schema: CancelOrderSchema } }, required: false },
      },
      responses: {
        200: ok("The cancelled order", OrderSchema),
        ...problemResponses(400, 401, 404, 422, 503),
      },
    }),
    async (c) => {
      const { order } = await deps.order.cancelOrder(
        { orderId: c.req.valid("param").id, reason: c.req.valid("json").reason ?? "" },
        { call: callContext(c) },
      );
      return c.json(orderJson(order), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/orders/{id}/returns",
      tags: [tag],
      summary: "Ask to return units of a delivered order",
      description:
        "At most what was bought and not yet returned, per SKU. Staff review the request; once the goods " +
        "arrive their price is refunded.",
      security,
      request: {
        params: OrderIdParamSchema,
        body: { content: { "application/json": { schema: ReturnRequestSchema } }, required: true },
      },
      responses: {
        201: ok("The return request", ReturnSchema),
        ...problemResponses(400, 401, 404, 422, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const answer = await deps.order.requestReturn(
        { orderId: c.req.valid("param").id, lines: body.lines, reason: body.reason },
        { call: callContext(c) },
      );
      return c.json(returnJson(answer.return), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/orders/{id}/returns",
      tags: [tag],
      summary: "The returns of one of my orders",
      security,
      request: { params: OrderIdParamSchema },
      responses: { 200: ok("The returns", ReturnListSchema), ...problemResponses(400, 401, 404, 503) },
    }),
    async (c) => {
      const { returns } = await deps.order.listReturns(
        { orderId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json({ returns: returns.map(returnJson) }, 200);
    },
  );
}
