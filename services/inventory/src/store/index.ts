import { createSql, type Db, type EntityManager, type Sql } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta, OutboxRows } from "@shopmesh/kit/events";
import type { RecordEvents } from "../events.ts";
import { type CheckoutStatements, createCheckoutStatements } from "./checkout.ts";
import { createReservationRepository, type ReservationRepository } from "./reservations.ts";
import { createStockRepository, type StockRepository } from "./stock.ts";
import { createWarehouseRepository, type WarehouseRepository } from "./warehouses.ts";

export type {
  CheckoutStatements,
  CheckoutTransaction,
  ReservationCommit,
  ReservationWrite,
  ReserveResult,
  ReserveSnapshot,
} from "./checkout.ts";
export { INVENTORY_ENTITIES } from "./entities.ts";
export { INVENTORY_MIGRATIONS, MIGRATIONS } from "./migrations.ts";
export { isDuplicateReservation } from "./reservations.ts";
export type { LockOption } from "./sql.ts";
export type {
  AdjustmentCursor,
  ListedStockLevel,
  StockLevelCursor,
  StockLevelFilter,
} from "./stock.ts";
export type { WarehouseCursor } from "./warehouses.ts";

/** The repositories of inventory, bound to one EntityManager. */
export interface Repositories {
  warehouses: WarehouseRepository;
  stock: StockRepository;
  reservations: ReservationRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
}

export interface InventoryStore {
  /** Repositories for reads outside a transaction (a fresh EntityManager per call). */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction: row locks hold until it ends, and a throw rolls back every
   * write and recorded event.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Reserve and CommitReservation, the checkout saga's hot path: plain SQL, few statements. */
  checkout: CheckoutStatements;
}

export interface InventoryStoreOptions {
  db: Db;
  /** Events into the outbox of an ORM transaction. */
  recordEvents: RecordEvents;
  /** Outbox rows of events for the plain-SQL statements of the checkout (store/checkout.ts). */
  outboxRows: OutboxRows;
}

export function createInventoryStore(options: InventoryStoreOptions): InventoryStore {
  const { db, recordEvents, outboxRows } = options;
  const repositories = (em: EntityManager, reads?: Sql): Repositories => ({
    warehouses: createWarehouseRepository(em),
    stock: createStockRepository(em, reads),
    reservations: createReservationRepository(em),
  });
  // Reads outside a transaction run as prepared statements on the pool where they are hot.
  const pooled = db.pool().then((pool) => createSql(pool));
  const reads: Sql = { query: async (text, values) => (await pooled).query(text, values) };
  return {
    read: () => repositories(db.em(), reads),
    transaction: (fn) =>
      db.transaction((em) =>
        fn({ ...repositories(em), record: (events, meta) => recordEvents(em, events, meta) }),
      ),
    checkout: createCheckoutStatements({ pool: db.pool(), outboxRows }),
  };
}
