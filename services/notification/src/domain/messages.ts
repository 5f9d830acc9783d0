import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  Category as CategoryProto,
  Channel as ChannelProto,
  type DeliverySchema,
  DeliveryState as DeliveryStateProto,
  type NotificationPreferencesSchema,
  type NotificationSchema,
} from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import type { Category, Channel } from "./catalogue.ts";
import type { Delivery, DeliveryState } from "./delivery.ts";
import type { InAppNotification } from "./inbox.ts";
import type { Preferences } from "./preferences.ts";

/**
 * Domain → proto. It lives in the domain because events carry the same messages as responses
 * (the Notification in InAppNotificationCreated is the one ListNotifications answers).
 */

const CATEGORY: Record<Category, CategoryProto> = {
  account: CategoryProto.ACCOUNT,
  orders: CategoryProto.ORDERS,
  marketing: CategoryProto.MARKETING,
  stock_alerts: CategoryProto.STOCK_ALERTS,
};

const CHANNEL: Record<Channel, ChannelProto> = {
  email: ChannelProto.EMAIL,
  sms: ChannelProto.SMS,
  push: ChannelProto.PUSH,
  in_app: ChannelProto.IN_APP,
};

const STATE: Record<DeliveryState, DeliveryStateProto> = {
  queued: DeliveryStateProto.QUEUED,
  sent: DeliveryStateProto.SENT,
  failed: DeliveryStateProto.FAILED,
  dead_letter: DeliveryStateProto.DEAD_LETTER,
};

function reverse<K extends string, V>(table: Record<K, V>, value: V): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}

export const categoryToProto = (category: Category) => CATEGORY[category];
export const channelToProto = (channel: Channel) => CHANNEL[channel];
export const stateToProto = (state: DeliveryState) => STATE[state];
/** undefined for UNSPECIFIED and unknown values. */
export const categoryFromProto = (value: CategoryProto) => reverse(CATEGORY, value);
export const channelFromProto = (value: ChannelProto) => reverse(CHANNEL, value);
export const stateFromProto = (value: DeliveryStateProto) => reverse(STATE, value);

export function notificationMessage(n: InAppNotification): MessageInitShape<typeof NotificationSchema> {
  return {
    id: n.id,
    userId: n.userId,
    type: n.type,
    category: CATEGORY[n.category],
    title: n.title,
    body: n.body,
    link: n.link,
    createTime: timestampFromDate(n.createTime),
    ...(n.readTime ? { readTime: timestampFromDate(n.readTime) } : {}),
  };
}

export function preferencesMessage(p: Preferences): MessageInitShape<typeof NotificationPreferencesSchema> {
  return {
    userId: p.userId,
    settings: p.settings.map((s) => ({
      category: CATEGORY[s.category],
      channel: CHANNEL[s.channel],
      enabled: s.enabled,
      locked: s.locked,
    })),
    ...(p.updateTime ? { updateTime: timestampFromDate(p.updateTime) } : {}),
  };
}

export function deliveryMessage(d: Delivery): MessageInitShape<typeof DeliverySchema> {
  return {
    id: d.id,
    type: d.type,
    category: CATEGORY[d.category],
    channel: CHANNEL[d.channel],
    userId: d.userId ?? "",
    recipient: d.recipient,
    locale: d.locale,
    state: STATE[d.state],
    attempts: d.attempts,
    lastError: d.lastError,
    eventId: d.eventId,
    eventType: d.eventType,
    subject: d.subject,
    providerMessageId: d.providerMessageId,
    redriveCount: d.redriveCount,
    createTime: timestampFromDate(d.createTime),
    updateTime: timestampFromDate(d.updateTime),
    ...(d.state === "queued" ? { nextAttemptTime: timestampFromDate(d.nextAttemptTime) } : {}),
    ...(d.sentTime ? { sentTime: timestampFromDate(d.sentTime) } : {}),
  };
}
