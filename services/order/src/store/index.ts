import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta, OutboxRows } from "@shopmesh/kit/events";
import type { RecordEvents } from "../events.ts";
import { type CheckoutStatements, createCheckoutStatements } from "./checkout.ts";
import { createOrderRepository, type OrderRepository } from "./orders.ts";
import { createRefundRepository, type RefundRepository } from "./refunds.ts";
import { createReturnRepository, type ReturnRepository } from "./returns.ts";
import { createSagaRepository, type SagaRepository } from "./sagas.ts";

export type { CheckoutStatements, OrderWrite, PlaceWrite, SagaLease, StepWrite } from "./checkout.ts";
export { ORDER_ENTITIES } from "./entities.ts";
export { MIGRATIONS, ORDER_MIGRATIONS } from "./migrations.ts";
export { isDuplicateOrder, type OrderFilter } from "./orders.ts";
export { isDuplicateRefund, type RefundRecord } from "./refunds.ts";
export { LeaseLostError } from "./sagas.ts";

/** The repositories of order, bound to one EntityManager. */
export interface Repositories {
  orders: OrderRepository;
  sagas: SagaRepository;
  returns: ReturnRepository;
  refunds: RefundRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
}

export interface OrderStore {
  /** Repositories for reads and single statements outside a transaction. */
  read(): Repositories;
  /** Runs `fn` in one transaction: row locks hold until it ends, a throw rolls everything back. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** The repositories of a transaction someone else opened (an event consumer's inbox transaction). */
  within(em: EntityManager): Transaction;
  /** The checkout's writes, one statement each (PlaceOrder and the saga engine). */
  checkout: CheckoutStatements;
}

export interface OrderStoreOptions {
  db: Db;
  /** The outbox of the ORM's transactions (createEventWriter in events.ts). */
  recordEvents: RecordEvents;
  /** The outbox rows of the checkout's statements (createEventRows in events.ts). */
  outboxRows: OutboxRows;
}

/**
 * The order store: repositories on the service's schema, transactions that carry the outbox, and
 * the checkout's single-statement writes with bind parameters on the pool under the ORM.
 */
export function createOrderStore(options: OrderStoreOptions): OrderStore {
  const { db, recordEvents } = options;
  const repositories = (em: EntityManager): Repositories => ({
    orders: createOrderRepository(em),
    sagas: createSagaRepository(em),
    returns: createReturnRepository(em),
    refunds: createRefundRepository(em),
  });
  const within = (em: EntityManager): Transaction => ({
    ...repositories(em),
    record: (events, meta) => recordEvents(em, events, meta),
  });
  return {
    read: () => repositories(db.em()),
    transaction: (fn) => db.transaction((em) => fn(within(em))),
    within,
    checkout: createCheckoutStatements({ pool: db.pool(), outboxRows: options.outboxRows }),
  };
}
