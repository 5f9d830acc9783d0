import { createRoute, type z } from "@hono/zod-openapi";
import { Code, RpcError } from "@shopmesh/kit/rpc";
import type { Context } from "hono";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import { requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import {
  historyJson,
  orderJson,
  paymentsJson,
  returnJson,
  searchOrdersRequest,
  shipmentJson,
} from "./mappers.ts";
import {
  AdminOrderDetailSchema,
  AdminOrderQuerySchema,
  CancelOrderSchema,
  IdempotencyHeadersSchema,
  OrderIdParamSchema,
  OrderListSchema,
  OrderSchema,
  ReceivedReturnSchema,
  RefundSchema,
  ReturnIdParamSchema,
  ReturnSchema,
  ReviewReturnSchema,
} from "./schemas.ts";

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <S extends z.ZodType>(schema: S, required = true) => ({
  content: { "application/json": { schema } },
  required,
});

/**
 * Orders on the admin surface (`/admin/v1/orders...`, `/admin/v1/returns...`). Reads are open to
 * all staff (support answers customers' questions); every write needs orders.write, here and
 * again in the order service.
 */
export const adminOrderRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Orders (admin)";
  const security = bearerSecurity;
  app.on("POST", ["/orders/*", "/returns/*"], requirePermission("orders.write"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/orders",
      tags: [tag],
      summary: "Search orders, newest first",
      description:
        "By status (repeatable or comma-separated), customer, placing time (`from` inclusive, `to` " +
        "exclusive) and total in minor units (inclusive). Cursor paged.",
      security,
      request: { query: AdminOrderQuerySchema },
      responses: {
        200: ok("A page of orders", OrderListSchema),
        ...problemResponses(400, 401, 403, 422, 503),
      },
    }),
    async (c) => {
      const answer = await deps.order.searchOrders(searchOrdersRequest(c.req.valid("query")), {
        call: callContext(c),
      });
      return c.json(
        {
          orders: answer.orders.map(orderJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/orders/{id}",
      tags: [tag],
      summary: "One order with its history, payments and shipment",
      description:
        "Payments and shipment come from their own services: when one does not answer, the order is " +
        "still shown, that part is null and named in `unavailable`.",
      security,
      request: { params: OrderIdParamSchema },
      responses: {
        200: ok("The order", AdminOrderDetailSchema),
        ...problemResponses(400, 401, 403, 404, 503),
      },
    }),
    async (c) => {
      const orderId = c.req.valid("param").id;
      const call = { call: callContext(c) };
      // All three at once: the detail page waits for the slowest, not for the sum.
      const [answer, payments, shipment] = await Promise.all([
        deps.order.getOrder({ orderId }, call),
        optional(c, deps, "payments", () => deps.payment.listOrderPayments({ orderId }, call)),
        optional(c, deps, "shipment", () => deps.shipping.getShipment({ orderId }, call)),
      ]);
      const unavailable = [payments, shipment].filter((part) => part.unavailable).map((part) => part.name);
      c.header("Cache-Control", "no-store");
      return c.json(
        {
          ...orderJson(answer.order),
          history: answer.history.map(historyJson),
          payments: payments.value ? paymentsJson(payments.value) : null,
          shipment: shipment.value?.shipment ? shipmentJson(shipment.value.shipment) : null,
          ...(unavailable.length > 0 ? { unavailable } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/orders/{id}/cancel",
      tags: [tag],
      summary: "Cancel an order that has not shipped",
      description: "The shipment is cancelled, the stock released and the payment refunded in full.",
      security,
      request: { params: OrderIdParamSchema, body: body(CancelOrderSchema, false) },
      responses: {
        200: ok("The cancelled order", OrderSchema),
        ...problemResponses(400, 401, 403, 404, 422, 503),
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
      path: "/orders/{id}/refund",
      tags: [tag],
      summary: "Refund part or the rest of a paid order",
      description:
        "`amountMinor` left out refunds everything charged and not yet refunded. Never more than that: " +
        "422 REFUND_EXCEEDS_CAPTURED. The Idempotency-Key makes a retry refund once.",
      security,
      request: { headers: IdempotencyHeadersSchema, params: OrderIdParamSchema, body: body(RefundSchema) },
      responses: {
        200: ok("The order, with refundedTotal and status updated", OrderSchema),
        ...problemResponses(400, 401, 403, 404, 422, 503),
      },
    }),
    async (c) => {
      const orderId = c.req.valid("param").id;
      const input = c.req.valid("json");
      const call = { call: callContext(c) };
      let amount: { amountMinor: bigint; currency: string } | undefined;
      if (input.amountMinor !== undefined) {
        // Money needs its currency; an admin refunds in the order's unless they say otherwise.
        const currency =
          input.currency ?? (await deps.order.getOrder({ orderId }, call)).order?.total?.currency;
        amount = { amountMinor: BigInt(input.amountMinor), currency: currency ?? "" };
      }
      const { order } = await deps.order.refundOrder(
        {
          orderId,
          reason: input.reason,
          idempotencyKey: c.req.valid("header")["idempotency-key"],
          ...(amount ? { amount } : {}),
        },
        call,
      );
      return c.json(orderJson(order), 200);
    },
  );

  for (const [path, summary, action] of [
    ["/orders/{id}/mark-shipped", "Mark a confirmed order shipped", "markOrderShipped"],
    ["/orders/{id}/mark-delivered", "Mark a shipped order delivered", "markOrderDelivered"],
  ] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path,
        tags: [tag],
        summary,
        description:
          "Its shipment follows. Repeating it changes nothing; from another status it is 422 INVALID_STATE.",
        security,
        request: { params: OrderIdParamSchema },
        responses: { 200: ok("The order", OrderSchema), ...problemResponses(400, 401, 403, 404, 422, 503) },
      }),
      async (c) => {
        const { order } = await deps.order[action](
          { orderId: c.req.valid("param").id },
          { call: callContext(c) },
        );
        return c.json(orderJson(order), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/returns/{id}/review",
      tags: [tag],
      summary: "Approve or reject a requested return",
      security,
      request: { params: ReturnIdParamSchema, body: body(ReviewReturnSchema) },
      responses: { 200: ok("The return", ReturnSchema), ...problemResponses(400, 401, 403, 404, 422, 503) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const answer = await deps.order.reviewReturn(
        { returnId: c.req.valid("param").id, approve: input.approve, note: input.note ?? "" },
        { call: callContext(c) },
      );
      return c.json(returnJson(answer.return), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/returns/{id}/receive",
      tags: [tag],
      summary: "The goods of an approved return arrived: refund them",
      security,
      request: { params: ReturnIdParamSchema },
      responses: {
        200: ok("The return and its order", ReceivedReturnSchema),
        ...problemResponses(400, 401, 403, 404, 422, 503),
      },
    }),
    async (c) => {
      const answer = await deps.order.receiveReturn(
        { returnId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json({ return: returnJson(answer.return), order: orderJson(answer.order) }, 200);
    },
  );
};

interface OptionalPart<T> {
  name: "payments" | "shipment";
  value?: T;
  /** The service failed (not merely "there is none"). */
  unavailable: boolean;
}

/**
 * A part of the admin order detail owned by another service: NOT_FOUND is "there is none"
 * (an order that failed before its shipment), any other failure leaves the part out, logged.
 */
async function optional<T>(
  c: Context,
  deps: BffDeps,
  name: OptionalPart<T>["name"],
  call: () => Promise<T>,
): Promise<OptionalPart<T>> {
  try {
    return { name, value: await call(), unavailable: false };
  } catch (err) {
    if (err instanceof RpcError && err.code === Code.NotFound) return { name, unavailable: false };
    (c.get("log") ?? deps.logger).warn({ err, part: name }, "order detail without a part");
    return { name, unavailable: true };
  }
}
