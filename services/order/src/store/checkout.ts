import {
  createSql,
  type Parameters,
  type PgPool,
  parameters,
  type Sql,
  sqlTransaction,
  unnestRows,
} from "@shopmesh/kit/db";
import { type EventMeta, type OutboxRow, type OutboxRows, outboxInsert } from "@shopmesh/kit/events";
import type { HistoryEntry, Order, OrderChange } from "../domain/order.ts";
import type { Saga } from "../domain/saga.ts";
import {
  assignmentsOf,
  ORDER_COLUMNS,
  ORDER_FIELDS,
  ORDER_UPDATE_FIELDS,
  SAGA_FIELDS,
  valuesOf,
} from "./columns.ts";
import { type RawOrder, toOrder } from "./orders.ts";
import { LeaseLostError } from "./sagas.ts";

/**
 * The statements of the checkout's hot path: plain SQL with bind parameters on the pool under the
 * ORM (the kit's prepared statements), each write ONE statement of data-modifying CTEs that writes
 * all of its rows or none, committed on its own: PlaceOrder's new order with its history, saga and
 * events, and every decision of a leased saga with the order change, history and events of its
 * step. The rest of the store (cancel, returns, refunds, consumers) stays on the ORM's
 * transactions; both write the same rows the same way.
 */
export interface CheckoutStatements {
  /** The customer's order placed with an idempotency key. */
  byIdempotencyKey(customerId: string, key: string): Promise<Order | undefined>;
  /**
   * Writes a new order, its history, its saga and its events in one statement. A second order
   * with the same customer and key (a concurrent PlaceOrder that committed first) throws the
   * unique violation of isDuplicateOrder, and nothing was written.
   */
  place(write: PlaceWrite): Promise<void>;
  /**
   * Stores a saga's decision in one statement, renewing `lease` (cleared when the saga is done),
   * with the order change of its step when it has one. The order is updated only while its
   * version is that of `order.before`, and its history, events and the saga only with it (or,
   * without an order change, only while the lease holds): all or nothing.
   *
   * - "written": all of it was stored;
   * - "stale": someone changed the order since it was read: nothing was written (see saveStepLocked);
   * - LeaseLostError: `lease.owner` no longer holds the saga: nothing was written.
   */
  saveStep(write: StepWrite): Promise<"written" | "stale">;
  /**
   * saveStep on the order as it is now: in one transaction, locks the order, lets `write` make
   * the step's write from it and stores that. Answers what `write` made; LeaseLostError as
   * saveStep (nothing written).
   */
  saveStepLocked<W extends StepWrite>(orderId: string, write: (current: Order) => W): Promise<W>;
}

/** A process's lease of a saga: its owner name, renewed for `leaseMs` by every save. */
export interface SagaLease {
  owner: string;
  leaseMs: number;
}

/** A new order (its placeOrder change), its saga and the meta of its events. */
export interface PlaceWrite {
  change: OrderChange;
  saga: Saga;
  meta: EventMeta;
  /** Stores the saga leased already (its creator drives it at once: no claim needed). */
  lease?: SagaLease;
}

/** A saga's decision, stored under `lease`, with the order change of its step when it made one. */
export interface StepWrite {
  saga: Saga;
  lease: SagaLease;
  order?: OrderWrite;
}

/** A step's change of `before` (the order as read), and the meta of its events. */
export interface OrderWrite {
  before: Order;
  change: OrderChange;
  meta: EventMeta;
}

const ORDER_BY_KEY = `select ${ORDER_COLUMNS} from orders where customer_id = $1::text and idempotency_key = $2::text`;

const LOCK_ORDER = `select ${ORDER_COLUMNS} from orders where id = $1::uuid for update`;

export function createCheckoutStatements(options: {
  pool: Promise<PgPool>;
  outboxRows: OutboxRows;
}): CheckoutStatements {
  const { outboxRows } = options;
  const sql = options.pool.then((pool) => createSql(pool));

  async function saveStep(on: Sql, write: StepWrite): Promise<"written" | "stale"> {
    const p = parameters();
    const text = stepStatement(
      p,
      write,
      write.order ? outboxRows(write.order.change.events, write.order.meta) : [],
    );
    const { rows } = await on.query<{ found: number; saved: number }>(text, p.values);
    const { found, saved } = rows[0]!;
    if (saved === 1) return "written";
    if (found === 0) return "stale";
    throw new LeaseLostError(`the lease of saga ${write.saga.orderId} was lost`);
  }

  return {
    async byIdempotencyKey(customerId, key) {
      const { rows } = await (await sql).query<RawOrder>(ORDER_BY_KEY, [customerId, key]);
      return rows[0] ? toOrder(rows[0]) : undefined;
    },
    async place(write) {
      const p = parameters();
      const { order, history, events } = write.change;
      const parts = [`saga as (${insertSaga(p, write.saga, write.lease)})`];
      if (history.length > 0) parts.push(`history as (${insertHistory(p, history)})`);
      const rows = outboxRows(events, write.meta);
      if (rows.length > 0) parts.push(`outbox as (${outboxInsert(p, rows)})`);
      // The foreign keys of the saga and the history are checked at the end of the statement,
      // when the order is there.
      await (await sql).query(`with ${parts.join(",\n")}\n${insertOrder(p, order)}`, p.values);
    },
    saveStep: async (write) => saveStep(await sql, write),
    async saveStepLocked(orderId, write) {
      return sqlTransaction(await options.pool, async (tx) => {
        const { rows } = await tx.query<RawOrder>(LOCK_ORDER, [orderId]);
        if (!rows[0]) throw new Error(`order ${orderId} vanished`);
        const next = write(toOrder(rows[0]));
        // Nobody changes a locked order: "stale" here is a bug, and rolls back.
        if ((await saveStep(tx, next)) !== "written") throw new Error(`locked order ${orderId} changed`);
        return next;
      });
    },
  };
}

/**
 * The statement of saveStep. With an order change, its CTEs lock the order at the expected
 * version first, then the saga while `owner` holds its lease (the lock order of every order
 * transaction: order, then saga), and write the order, then the saga, history and events only
 * when the order was written. Without one the saga's update is the lease check, and history and
 * events follow it. It answers `found` (0: the order's version moved on) and `saved` (1: the saga,
 * and with it everything, was written). The outbox's CTE is there only for a step with events:
 * every statement that inserts into the outbox, even no rows, wakes the relay (its NOTIFY trigger).
 */
function stepStatement(p: Parameters, write: StepWrite, outbox: readonly OutboxRow[]): string {
  const { saga, lease, order } = write;
  const id = p.add(saga.orderId, "uuid");
  const owner = p.add(lease.owner, "text");
  const parts: string[] = [];
  let found = "1";
  // The CTE whose row says the step is being written; the saga is updated where `sagaWhere` holds.
  let gate = "saga";
  let sagaWhere = `order_id = ${id} and lease_owner = ${owner}`;
  if (order && order.change.order !== order.before) {
    const version = p.add(order.before.version, "integer");
    parts.push(
      `target as materialized (select id from orders where id = ${id} and version = ${version} for update)`,
      `lease as materialized (
        select order_id from sagas
        where order_id = ${id} and lease_owner = ${owner} and exists (select from target)
        for update)`,
      `saved as (${updateOrder(p, order.change.order, `id = ${id} and version = ${version} and exists (select from lease)`)})`,
    );
    found = "(select count(*)::int from target)";
    gate = "saved";
    sagaWhere += " and exists (select from saved)";
  }
  parts.push(`saga as (${updateSaga(p, saga, lease, sagaWhere)})`);
  if (order && order.change.history.length > 0) {
    parts.push(`history as (${insertHistory(p, order.change.history, `exists (select from ${gate})`)})`);
  }
  if (outbox.length > 0) parts.push(`outbox as (${outboxInsert(p, outbox, `exists (select from ${gate})`)})`);
  return `with ${parts.join(",\n")}
    select ${found} as found, (select count(*)::int from saga) as saved`;
}

function insertOrder(p: Parameters, order: Order): string {
  return `insert into orders (${ORDER_COLUMNS}) values (${valuesOf(ORDER_FIELDS, order, p.add)})`;
}

/** What orders.save writes (the rest never changes), where `where` holds. */
function updateOrder(p: Parameters, order: Order, where: string): string {
  return `update orders set ${assignmentsOf(ORDER_UPDATE_FIELDS, order, p.add)}
    where ${where}
    returning id`;
}

/** History entries in one insert (one statement text for any number of them), `when` a condition holds. */
function insertHistory(p: Parameters, entries: readonly HistoryEntry[], when?: string): string {
  return `insert into order_history (order_id, from_status, to_status, actor, reason, create_time)
    ${unnestRows(p, [
      [entries.map((entry) => entry.orderId), "uuid"],
      [entries.map((entry) => entry.fromStatus ?? null), "text"],
      [entries.map((entry) => entry.toStatus), "text"],
      [entries.map((entry) => entry.actor), "text"],
      [entries.map((entry) => entry.reason), "text"],
      [entries.map((entry) => entry.createTime), "timestamptz"],
    ])}${when ? ` where ${when}` : ""}`;
}

/** The lease expiry sagas.ts sets: `leaseMs` from now, on the database's clock. */
function leaseExpiry(p: Parameters, lease: SagaLease): string {
  return `clock_timestamp() + make_interval(secs => ${p.add(lease.leaseMs / 1000, "float8")})`;
}

function insertSaga(p: Parameters, saga: Saga, lease: SagaLease | undefined): string {
  const columns = [
    "order_id",
    ...SAGA_FIELDS.map(([column]) => column),
    "create_time",
    "lease_owner",
    "lease_expire_time",
  ];
  const values = [
    p.add(saga.orderId, "uuid"),
    valuesOf(SAGA_FIELDS, saga, p.add),
    p.add(saga.createTime, "timestamptz"),
    lease ? p.add(lease.owner, "text") : "null",
    lease ? leaseExpiry(p, lease) : "null",
  ];
  return `insert into sagas (${columns.join(", ")}) values (${values.join(", ")})`;
}

/** What sagas.save writes: the saga, its lease renewed, or cleared once it is done; where `where` holds. */
function updateSaga(p: Parameters, saga: Saga, lease: SagaLease, where: string): string {
  const done = saga.status === "done";
  return `update sagas set ${assignmentsOf(SAGA_FIELDS, saga, p.add)},
      lease_expire_time = ${done ? "null" : leaseExpiry(p, lease)},
      lease_owner = ${done ? "null" : "lease_owner"}
    where ${where}
    returning order_id`;
}
