import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";

/**
 * The notification tables as MikroORM entities. Rows are plain column values: the repositories
 * of this folder map them to the domain's records explicitly, with raw SQL where it needs
 * conflicts, locks or SKIP LOCKED; the SQL that creates the tables is in migrations.ts.
 */

export const RecipientRow = defineEntity({
  name: "RecipientRow",
  tableName: "recipients",
  properties: {
    userId: p.uuid().primary(),
    email: p.text(),
    displayName: p.text(),
    locale: p.text(),
    isAdmin: p.boolean(),
    deleted: p.boolean(),
    updateTime: p.datetime(),
  },
});
export type RecipientRow = InferEntity<typeof RecipientRow>;

export const PreferenceRow = defineEntity({
  name: "PreferenceRow",
  tableName: "preferences",
  properties: {
    userId: p.uuid().primary(),
    category: p.text().primary(),
    channel: p.text().primary(),
    enabled: p.boolean(),
    updateTime: p.datetime(),
  },
});
export type PreferenceRow = InferEntity<typeof PreferenceRow>;

export const NotificationRow = defineEntity({
  name: "NotificationRow",
  tableName: "notifications",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    type: p.text(),
    category: p.text(),
    title: p.text(),
    body: p.text(),
    link: p.text(),
    /** Unique per user (constraint notifications_dedupe_key). */
    dedupeKey: p.text(),
    createTime: p.datetime(),
    readTime: p.datetime().strictNullable(),
  },
});
export type NotificationRow = InferEntity<typeof NotificationRow>;

export const DeliveryRow = defineEntity({
  name: "DeliveryRow",
  tableName: "deliveries",
  properties: {
    id: p.uuid().primary(),
    type: p.text(),
    category: p.text(),
    channel: p.text(),
    userId: p.uuid().strictNullable(),
    recipientKey: p.text(),
    recipient: p.text(),
    locale: p.text(),
    data: p.json<Record<string, unknown>>(),
    /** Unique with channel and recipient_key (constraint deliveries_dedupe_key). */
    dedupeKey: p.text(),
    eventId: p.text(),
    eventType: p.text(),
    state: p.text(),
    attempts: p.integer(),
    lastError: p.text(),
    subject: p.text(),
    providerMessageId: p.text(),
    redriveCount: p.integer(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    nextAttemptTime: p.datetime(),
    sentTime: p.datetime().strictNullable(),
  },
});
export type DeliveryRow = InferEntity<typeof DeliveryRow>;

/** Every notification entity, for createDb (with the kit's outbox entities). */
export const NOTIFICATION_ENTITIES = [RecipientRow, PreferenceRow, NotificationRow, DeliveryRow];
