/**
 * What notification sends: the categories users choose by, the channels, and every notification
 * type with its category and the channels it can go out on. A template exists for each type,
 * channel and locale (templates/<type>/<channel>.<locale>.liquid).
 */

export const CATEGORIES = ["account", "orders", "marketing", "stock_alerts"] as const;
export type Category = (typeof CATEGORIES)[number];

export const CHANNELS = ["email", "sms", "push", "in_app"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels that go out through a provider and get a delivery record; in-app lands in the inbox. */
export type DeliveryChannel = Exclude<Channel, "in_app">;

export interface NotificationTypeSpec {
  category: Category;
  /** The channels this type is written for, in the order they are planned. */
  channels: readonly Channel[];
}

/**
 * Every notification type. Account messages carrying a token (verification, reset) go by email
 * only: a secret link does not belong in an inbox or a push message.
 */
export const NOTIFICATION_TYPES = {
  welcome: { category: "account", channels: ["email", "in_app"] },
  email_verification: { category: "account", channels: ["email"] },
  password_reset: { category: "account", channels: ["email"] },
  order_confirmed: { category: "orders", channels: ["email", "sms", "push", "in_app"] },
  order_failed: { category: "orders", channels: ["email", "push", "in_app"] },
  order_cancelled: { category: "orders", channels: ["email", "in_app"] },
  order_shipped: { category: "orders", channels: ["email", "sms", "push", "in_app"] },
  order_delivered: { category: "orders", channels: ["email", "push", "in_app"] },
  order_refunded: { category: "orders", channels: ["email", "in_app"] },
  low_stock: { category: "stock_alerts", channels: ["email", "in_app"] },
} as const satisfies Record<string, NotificationTypeSpec>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;

export function isNotificationType(value: string): value is NotificationType {
  return Object.hasOwn(NOTIFICATION_TYPES, value);
}

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** The category of a type. */
export function categoryOf(type: NotificationType): Category {
  return NOTIFICATION_TYPES[type].category;
}
