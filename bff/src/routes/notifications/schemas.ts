import { z } from "@hono/zod-openapi";

/** Schemas of the notifications area: the inbox, its live stream, preferences, admin deliveries. */

const time = z.string().openapi({ format: "date-time" });

/** Enum values as the REST API spells them (the proto enums, lower case). */
export const CATEGORIES = ["account", "orders", "marketing", "stock_alerts"] as const;
export const CHANNELS = ["email", "sms", "push", "in_app"] as const;
export const DELIVERY_CHANNELS = ["email", "sms", "push"] as const;
export const DELIVERY_STATES = ["queued", "sent", "failed", "dead_letter"] as const;

// "unknown" stands for a value newer than this BFF, so a client never sees a wrong one instead.
const named = <T extends readonly [string, ...string[]]>(values: T, name: string) =>
  z.enum([...values, "unknown"]).openapi(name);

export const CategorySchema = named(CATEGORIES, "NotificationCategory");
export const ChannelSchema = named(CHANNELS, "NotificationChannel");
const DeliveryStateSchema = named(DELIVERY_STATES, "DeliveryState");

export const NotificationSchema = z
  .object({
    id: z.string().openapi({ description: "UUIDv7: later notifications have greater ids" }),
    type: z.string().openapi({ example: "order_confirmed" }),
    category: CategorySchema,
    title: z.string(),
    body: z.string(),
    link: z.string().openapi({ description: 'A storefront path ("/orders/<id>"), or ""' }),
    read: z.boolean(),
    createTime: time,
    readTime: time.optional(),
  })
  .openapi("Notification");

export const NotificationListSchema = z
  .object({
    notifications: z.array(NotificationSchema),
    unreadCount: z.number().int().openapi({ description: "Unread notifications, all pages" }),
    nextPageToken: z.string().optional(),
  })
  .openapi("NotificationList");

export const InboxQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).optional().openapi({ example: 20 }),
  pageToken: z.string().max(512).optional(),
  unreadOnly: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value === "true")
    .openapi({ description: "Only unread notifications" }),
});

export const IdParamSchema = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
});

export const StreamQuerySchema = z.object({
  lastEventId: z
    .uuid()
    .optional()
    .openapi({ description: "Like the Last-Event-ID header: replay what came after this notification" }),
});

export const PreferenceSettingSchema = z
  .object({
    category: CategorySchema,
    channel: ChannelSchema,
    enabled: z.boolean(),
    locked: z.boolean().openapi({ description: "Transactional email: always sent, cannot be turned off" }),
  })
  .openapi("NotificationPreferenceSetting");

export const PreferencesSchema = z
  .object({
    settings: z.array(PreferenceSettingSchema),
    updateTime: time.optional(),
  })
  .openapi("NotificationPreferences");

export const PreferencesUpdateSchema = z
  .object({
    settings: z
      .array(
        z.object({ category: z.enum(CATEGORIES), channel: z.enum(CHANNELS), enabled: z.boolean() }).strict(),
      )
      .min(1)
      .max(CATEGORIES.length * CHANNELS.length)
      .openapi({ description: "The settings to change; the others keep their value" }),
  })
  .strict()
  .openapi("NotificationPreferencesUpdate");

export const DeliverySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    category: CategorySchema,
    channel: ChannelSchema,
    userId: z.string().optional(),
    recipient: z.string(),
    locale: z.string(),
    state: DeliveryStateSchema,
    attempts: z.number().int(),
    lastError: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    subject: z.string(),
    providerMessageId: z.string(),
    redriveCount: z.number().int(),
    createTime: time,
    updateTime: time,
    nextAttemptTime: time.optional(),
    sentTime: time.optional(),
  })
  .openapi("NotificationDelivery");

export const DeliveryListSchema = z
  .object({ deliveries: z.array(DeliverySchema), nextPageToken: z.string().optional() })
  .openapi("NotificationDeliveryList");

export const DeliveryQuerySchema = z.object({
  state: z.enum(DELIVERY_STATES).optional(),
  channel: z.enum(DELIVERY_CHANNELS).optional(),
  userId: z.uuid().optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
  pageToken: z.string().max(512).optional(),
});
