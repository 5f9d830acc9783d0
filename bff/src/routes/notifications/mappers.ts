import type { z } from "@hono/zod-openapi";
import {
  Category,
  Channel,
  type Delivery,
  DeliveryState,
  type Notification,
  type NotificationPreferences,
} from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { isoTime } from "../identity/mappers.ts";
import type {
  CATEGORIES,
  CHANNELS,
  DELIVERY_STATES,
  DeliverySchema,
  NotificationSchema,
  PreferencesSchema,
} from "./schemas.ts";

/** Proto ↔ JSON for notifications, preferences and deliveries; explicit, so the REST shape is ours. */

export const CATEGORY_VALUES: Record<(typeof CATEGORIES)[number], Category> = {
  account: Category.ACCOUNT,
  orders: Category.ORDERS,
  marketing: Category.MARKETING,
  stock_alerts: Category.STOCK_ALERTS,
};
export const CHANNEL_VALUES: Record<(typeof CHANNELS)[number], Channel> = {
  email: Channel.EMAIL,
  sms: Channel.SMS,
  push: Channel.PUSH,
  in_app: Channel.IN_APP,
};
export const DELIVERY_STATE_VALUES: Record<(typeof DELIVERY_STATES)[number], DeliveryState> = {
  queued: DeliveryState.QUEUED,
  sent: DeliveryState.SENT,
  failed: DeliveryState.FAILED,
  dead_letter: DeliveryState.DEAD_LETTER,
};

function nameOf<K extends string, V>(table: Record<K, V>, value: V): K | "unknown" {
  return (Object.keys(table) as K[]).find((key) => table[key] === value) ?? "unknown";
}

export function notificationJson(n: Notification): z.infer<typeof NotificationSchema> {
  return {
    id: n.id,
    type: n.type,
    category: nameOf(CATEGORY_VALUES, n.category),
    title: n.title,
    body: n.body,
    link: n.link,
    read: n.readTime !== undefined,
    createTime: isoTime(n.createTime),
    ...(n.readTime ? { readTime: isoTime(n.readTime) } : {}),
  };
}

export function preferencesJson(p: NotificationPreferences | undefined): z.infer<typeof PreferencesSchema> {
  return {
    settings: (p?.settings ?? []).map((s) => ({
      category: nameOf(CATEGORY_VALUES, s.category),
      channel: nameOf(CHANNEL_VALUES, s.channel),
      enabled: s.enabled,
      locked: s.locked,
    })),
    ...(p?.updateTime ? { updateTime: isoTime(p.updateTime) } : {}),
  };
}

export function deliveryJson(d: Delivery): z.infer<typeof DeliverySchema> {
  return {
    id: d.id,
    type: d.type,
    category: nameOf(CATEGORY_VALUES, d.category),
    channel: nameOf(CHANNEL_VALUES, d.channel),
    ...(d.userId ? { userId: d.userId } : {}),
    recipient: d.recipient,
    locale: d.locale,
    state: nameOf(DELIVERY_STATE_VALUES, d.state),
    attempts: d.attempts,
    lastError: d.lastError,
    eventId: d.eventId,
    eventType: d.eventType,
    subject: d.subject,
    providerMessageId: d.providerMessageId,
    redriveCount: d.redriveCount,
    createTime: isoTime(d.createTime),
    updateTime: isoTime(d.updateTime),
    ...(d.nextAttemptTime ? { nextAttemptTime: isoTime(d.nextAttemptTime) } : {}),
    ...(d.sentTime ? { sentTime: isoTime(d.sentTime) } : {}),
  };
}
