import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  InAppNotificationCreatedSchema,
  NotificationReadSchema,
} from "@shopmesh/contracts/shopmesh/notification/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import type { Category, NotificationType } from "./catalogue.ts";
import { notificationMessage } from "./messages.ts";

/** A notification in a user's in-app inbox. */
export interface InAppNotification {
  id: string;
  userId: string;
  type: NotificationType;
  category: Category;
  title: string;
  body: string;
  link: string;
  /** The business fact it belongs to; one notification per fact and user. */
  dedupeKey: string;
  createTime: Date;
  readTime: Date | null;
}

export interface InboxChange {
  notification: InAppNotification;
  events: DomainEvent[];
}

/** A new unread notification; records InAppNotificationCreated, which the BFFs stream to the user. */
export function createInAppNotification(
  input: Omit<InAppNotification, "readTime" | "createTime">,
  now: Date,
): InboxChange {
  const notification: InAppNotification = { ...input, createTime: now, readTime: null };
  return {
    notification,
    events: [
      domainEvent(InAppNotificationCreatedSchema, notification.userId, {
        notification: notificationMessage(notification),
      }),
    ],
  };
}

/** Marks a notification read; one already read is answered unchanged (no event). */
export function markRead(notification: InAppNotification, now: Date): InboxChange {
  if (notification.readTime) return { notification, events: [] };
  const read = { ...notification, readTime: now };
  return {
    notification: read,
    events: [
      domainEvent(NotificationReadSchema, read.userId, {
        userId: read.userId,
        notificationId: read.id,
        readTime: timestampFromDate(now),
      }),
    ],
  };
}
