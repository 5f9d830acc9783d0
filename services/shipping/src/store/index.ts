import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta, OutboxRows } from "@shopmesh/kit/events";
import type { RecordEvents } from "../events.ts";
import { type CheckoutStatements, createCheckoutStatements } from "./checkout.ts";
import { createShipmentRepository, type ShipmentRepository } from "./shipments.ts";
import { createWebhookEventRepository, type WebhookEventRepository } from "./webhook-events.ts";

export type { CheckoutStatements, ShipmentWrite } from "./checkout.ts";
export { SHIPPING_ENTITIES } from "./entities.ts";
export { MIGRATIONS, SHIPPING_MIGRATIONS } from "./migrations.ts";
export type { LockOption } from "./sql.ts";

/** The repositories of shipping, bound to one EntityManager. */
export interface Repositories {
  shipments: ShipmentRepository;
  webhookEvents: WebhookEventRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
}

export interface ShippingStore {
  /** Repositories for reads outside a transaction (a fresh EntityManager per call). */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction: row locks hold until it ends, and a throw rolls back every
   * write and recorded event.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** CreateShipment, the checkout saga's hot path: plain SQL, one read and one write. */
  checkout: CheckoutStatements;
}

export interface ShippingStoreOptions {
  db: Db;
  /** Events into the outbox of an ORM transaction. */
  recordEvents: RecordEvents;
  /** Outbox rows of events for the plain-SQL statements of the checkout (store/checkout.ts). */
  outboxRows: OutboxRows;
}

export function createShippingStore(options: ShippingStoreOptions): ShippingStore {
  const { db, recordEvents, outboxRows } = options;
  const repositories = (em: EntityManager): Repositories => ({
    shipments: createShipmentRepository(em),
    webhookEvents: createWebhookEventRepository(em),
  });
  return {
    read: () => repositories(db.em()),
    transaction: (fn) =>
      db.transaction((em) =>
        fn({ ...repositories(em), record: (events, meta) => recordEvents(em, events, meta) }),
      ),
    checkout: createCheckoutStatements({ pool: db.pool(), outboxRows }),
  };
}
