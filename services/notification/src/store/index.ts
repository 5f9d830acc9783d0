import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta } from "@shopmesh/kit/events";
import type { RecordEvents } from "../events.ts";
import { createDeliveryRepository, type DeliveryRepository } from "./deliveries.ts";
import { createNotificationRepository, type NotificationRepository } from "./notifications.ts";
import { createPreferenceRepository, type PreferenceRepository } from "./preferences.ts";
import { createRecipientRepository, type RecipientRepository } from "./recipients.ts";

export type { DeliveryCursor, DeliveryFilter } from "./deliveries.ts";
export { NOTIFICATION_ENTITIES } from "./entities.ts";
export { MIGRATIONS, NOTIFICATION_MIGRATIONS } from "./migrations.ts";
export type { InboxFilter } from "./notifications.ts";
export type { StoredPreferences } from "./preferences.ts";
export type { RecipientFacts } from "./recipients.ts";

/** The repositories of notification, bound to one EntityManager. */
export interface Repositories {
  recipients: RecipientRepository;
  preferences: PreferenceRepository;
  notifications: NotificationRepository;
  deliveries: DeliveryRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
}

export interface NotificationStore {
  /** Repositories for reads outside a transaction (a fresh EntityManager per call). */
  read(): Repositories;
  /** Runs `fn` in one transaction; a throw rolls back every write and recorded event. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The repositories of a transaction someone else opened: an event consumer's, whose inbox row
   * commits with what the handler writes here.
   */
  within(em: EntityManager): Transaction;
}

export interface NotificationStoreOptions {
  db: Db;
  recordEvents: RecordEvents;
}

export function createNotificationStore(options: NotificationStoreOptions): NotificationStore {
  const { db, recordEvents } = options;
  const repositories = (em: EntityManager): Repositories => ({
    recipients: createRecipientRepository(em),
    preferences: createPreferenceRepository(em),
    notifications: createNotificationRepository(em),
    deliveries: createDeliveryRepository(em),
  });
  const within = (em: EntityManager): Transaction => ({
    ...repositories(em),
    record: (events, meta) => recordEvents(em, events, meta),
  });
  return {
    read: () => repositories(db.em()),
    transaction: (fn) => db.transaction((em) => fn(within(em))),
    within,
  };
}
