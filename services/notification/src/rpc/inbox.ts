import type { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { invalidField, notFound } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { markRead } from "../domain/inbox.ts";
import { notificationMessage } from "../domain/messages.ts";
import { eventMeta } from "../events.ts";
import type { NotificationDeps } from "./deps.ts";
import { check, optionalUuid, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof NotificationService>;

export const LIST_NOTIFICATIONS_PAGE = { defaultSize: 20, maxSize: 100 } as const;

/** The caller's in-app inbox. */
export function inboxHandlers(
  deps: NotificationDeps,
): Pick<Handlers, "listNotifications" | "markNotificationRead"> {
  const { store } = deps;
  return {
    async listNotifications(request, ctx) {
      const user = requireUser(ctx);
      check(optionalUuid(request.afterId, "afterId"));
      const limit = pageSize(request.pageSize, LIST_NOTIFICATIONS_PAGE);
      const repos = store.read();
      if (request.afterId) {
        if (request.pageToken) throw invalidField("pageToken", "cannot be combined with afterId");
        const after = await repos.notifications.listAfter(user.userId, request.afterId, limit + 1);
        return {
          notifications: after.slice(0, limit).map(notificationMessage),
          // The next page of a catch-up starts after its last notification: pass its id as after_id.
          nextPageToken: "",
          unreadCount: await repos.notifications.unreadCount(user.userId),
        };
      }
      const filters = filterHash([request.unreadOnly ? "unread" : "all"]);
      const before = decodePageToken(request.pageToken, filters, ({ id }) => (isUuid(id) ? id : undefined));
      const page = await repos.notifications.list(
        { userId: user.userId, unreadOnly: request.unreadOnly },
        before,
        limit + 1,
      );
      return {
        notifications: page.slice(0, limit).map(notificationMessage),
        nextPageToken: nextPageToken(page, limit, (last) => ({ key: "", id: last.id }), filters),
        unreadCount: await repos.notifications.unreadCount(user.userId),
      };
    },

    async markNotificationRead(request, ctx) {
      const user = requireUser(ctx);
      check(uuid(request.notificationId, "notificationId"));
      const notification = await store.transaction(async (tx) => {
        const current = await tx.notifications.byId(request.notificationId, { lock: true });
        // Another user's notification is not found: nobody learns that it exists.
        if (!current || current.userId !== user.userId) {
          throw notFound(`notification ${request.notificationId} not found`);
        }
        const change = markRead(current, new Date());
        if (change.notification === current) return current;
        await tx.notifications.markRead(current.id, change.notification.readTime!);
        tx.record(change.events, eventMeta(ctx));
        return change.notification;
      });
      return { notification: notificationMessage(notification) };
    },
  };
}
