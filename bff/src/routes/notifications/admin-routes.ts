import { createRoute, type z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import { problemResponses } from "../../errors/index.ts";
import { requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { CHANNEL_VALUES, DELIVERY_STATE_VALUES, deliveryJson } from "./mappers.ts";
import { DeliveryListSchema, DeliveryQuerySchema, DeliverySchema, IdParamSchema } from "./schemas.ts";

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * Notification deliveries on the admin surface (`/admin/v1/notification-deliveries...`): what
 * went out, what is waiting for a retry, the dead letters, and their re-drive. Everything needs
 * notifications.admin, here and again in the notification service.
 */
export const adminNotificationRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Notifications (admin)";
  const security = bearerSecurity;
  app.use("/notification-deliveries", requirePermission("notifications.admin"));
  app.use("/notification-deliveries/*", requirePermission("notifications.admin"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/notification-deliveries",
      tags: [tag],
      summary: "Deliveries, newest first",
      description: "By state (`dead_letter` for the dead letters), channel and user. Cursor paged.",
      security,
      request: { query: DeliveryQuerySchema },
      responses: {
        200: ok("A page of deliveries", DeliveryListSchema),
        ...problemResponses(400, 401, 403, 422, 503),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.notification.listDeliveries(
        {
          pageSize: query.pageSize ?? 0,
          pageToken: query.pageToken ?? "",
          userId: query.userId ?? "",
          ...(query.state ? { state: DELIVERY_STATE_VALUES[query.state] } : {}),
          ...(query.channel ? { channel: CHANNEL_VALUES[query.channel] } : {}),
        },
        { call: callContext(c) },
      );
      return c.json(
        {
          deliveries: answer.deliveries.map(deliveryJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/notification-deliveries/{id}",
      tags: [tag],
      summary: "One delivery with its attempts and last error",
      security,
      request: { params: IdParamSchema },
      responses: { 200: ok("The delivery", DeliverySchema), ...problemResponses(400, 401, 403, 404, 503) },
    }),
    async (c) => {
      const { delivery } = await deps.notification.getDelivery(
        { deliveryId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json(deliveryJson(delivery!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/notification-deliveries/{id}/redrive",
      tags: [tag],
      summary: "Send a dead-lettered or failed delivery again",
      description: "Queues it with a fresh set of attempts. A queued or sent delivery is 422 INVALID_STATE.",
      security,
      request: { params: IdParamSchema },
      responses: {
        200: ok("The queued delivery", DeliverySchema),
        ...problemResponses(400, 401, 403, 404, 422, 503),
      },
    }),
    async (c) => {
      const { delivery } = await deps.notification.redriveDelivery(
        { deliveryId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json(deliveryJson(delivery!), 200);
    },
  );
};
