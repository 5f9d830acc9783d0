import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { deliveryHandlers } from "./deliveries.ts";
import type { NotificationDeps } from "./deps.ts";
import { inboxHandlers } from "./inbox.ts";
import { preferenceHandlers } from "./preferences.ts";

export type { NotificationDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.notification.v1.NotificationService. Each maps its request to domain
 * calls and store operations and the result back to proto; failures map to statuses in the
 * kit's toRpcError.
 */
export function createNotificationHandlers(
  deps: NotificationDeps,
): ServiceHandlers<typeof NotificationService> {
  return withErrorMapping(NotificationService, {
    ...inboxHandlers(deps),
    ...preferenceHandlers(deps),
    ...deliveryHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say. (self) calls are "authenticated" and the handler
 * requires a user (requireUser) and works on the token's user only; (admin) calls need
 * notifications.admin.
 */
export const NOTIFICATION_ACCESS_RULES: AccessRules<typeof NotificationService> = {
  listNotifications: "authenticated",
  markNotificationRead: "authenticated",
  getNotificationPreferences: "authenticated",
  updateNotificationPreferences: "authenticated",
  listDeliveries: { permission: "notifications.admin" },
  getDelivery: { permission: "notifications.admin" },
  redriveDelivery: { permission: "notifications.admin" },
};
