import { createRoute, type z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { problemResponses } from "../../errors/index.ts";
import { requireUser } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar, type SurfaceApp } from "../types.ts";
import { CATEGORY_VALUES, CHANNEL_VALUES, notificationJson, preferencesJson } from "./mappers.ts";
import {
  IdParamSchema,
  InboxQuerySchema,
  NotificationListSchema,
  NotificationSchema,
  PreferencesSchema,
  PreferencesUpdateSchema,
} from "./schemas.ts";
import { registerNotificationStream } from "./sse.ts";

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});
const tag = "Notifications";
const security = bearerSecurity;

/**
 * The signed-in user's notifications, the same on web and mobile: the inbox
 * (`<prefix>/notifications`), marking read, the live stream (`/notifications/stream`, see
 * sse.ts) and the preferences (`/me/notification-preferences`). Every route needs a user.
 */
export const notificationRoutes: RouteRegistrar = (app, deps) => {
  app.use("/notifications", requireUser());
  app.use("/notifications/*", requireUser());
  app.use("/me/notification-preferences", requireUser());
  registerInbox(app, deps);
  registerNotificationStream(app, deps);
  registerPreferences(app, deps);
};

function registerInbox(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/notifications",
      tags: [tag],
      summary: "My notifications, newest first",
      description:
        "Cursor paged: pass `nextPageToken` of the answer as `pageToken`. Also says how many are unread.",
      security,
      request: { query: InboxQuerySchema },
      responses: {
        200: ok("A page of notifications", NotificationListSchema),
        ...problemResponses(400, 401, 422, 503),
      },
    }),
    async (c) => {
      const { pageSize, pageToken, unreadOnly } = c.req.valid("query");
      const answer = await deps.notification.listNotifications(
        { pageSize: pageSize ?? 0, pageToken: pageToken ?? "", unreadOnly },
        { call: callContext(c) },
      );
      c.header("Cache-Control", "no-store");
      return c.json(
        {
          notifications: answer.notifications.map(notificationJson),
          unreadCount: answer.unreadCount,
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/notifications/{id}/read",
      tags: [tag],
      summary: "Mark a notification read",
      description: "Marking a read notification again answers it unchanged. Another user's is 404.",
      security,
      request: { params: IdParamSchema },
      responses: { 200: ok("The notification", NotificationSchema), ...problemResponses(400, 401, 404, 503) },
    }),
    async (c) => {
      const { notification } = await deps.notification.markNotificationRead(
        { notificationId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json(notificationJson(notification!), 200);
    },
  );
}

function registerPreferences(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/me/notification-preferences",
      tags: [tag],
      summary: "Which notifications I get, per category and channel",
      description:
        "Every category and channel with its value; `locked` ones (transactional email) always go.",
      security,
      responses: { 200: ok("My preferences", PreferencesSchema), ...problemResponses(401, 503) },
    }),
    async (c) => {
      const { preferences } = await deps.notification.getNotificationPreferences(
        {},
        { call: callContext(c) },
      );
      c.header("Cache-Control", "no-store");
      return c.json(preferencesJson(preferences), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/me/notification-preferences",
      tags: [tag],
      summary: "Change which notifications I get",
      description:
        "Sets the settings sent; the others keep their value. Turning off a locked setting (order and account " +
        "email) is 422.",
      security,
      request: {
        body: { content: { "application/json": { schema: PreferencesUpdateSchema } }, required: true },
      },
      responses: { 200: ok("My preferences", PreferencesSchema), ...problemResponses(400, 401, 422, 503) },
    }),
    async (c) => {
      const { settings } = c.req.valid("json");
      const { preferences } = await deps.notification.updateNotificationPreferences(
        {
          settings: settings.map((s) => ({
            category: CATEGORY_VALUES[s.category],
            channel: CHANNEL_VALUES[s.channel],
            enabled: s.enabled,
          })),
        },
        { call: callContext(c) },
      );
      return c.json(preferencesJson(preferences), 200);
    },
  );
}
