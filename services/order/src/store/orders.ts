import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import { staleVersion } from "@shopmesh/kit/errors";
import type { HistoryEntry, Order, OrderStatus, PostalAddress, ShippingMethodName } from "../domain/order.ts";
import {
  assignmentsOf,
  ORDER_COLUMNS,
  ORDER_FIELDS,
  ORDER_UPDATE_FIELDS,
  ormPlaceholders,
  type StoredLine,
  valuesOf,
} from "./columns.ts";
import { ORDERS_IDEMPOTENCY_CONSTRAINT } from "./migrations.ts";

export { ORDER_COLUMNS, storedLines } from "./columns.ts";

import { toBigInt, toDate, toNumber, toOptionalDate } from "./sql.ts";

/** Filters of the staff's order search; every one optional. */
export interface OrderFilter {
  customerId?: string;
  statuses?: readonly OrderStatus[];
  createdFrom?: Date;
  createdBefore?: Date;
  minTotal?: bigint;
  maxTotal?: bigint;
}

export interface OrderRepository {
  byId(id: string, options?: { lock?: boolean }): Promise<Order | undefined>;
  /** The customer's order placed with an idempotency key. */
  byIdempotencyKey(customerId: string, key: string): Promise<Order | undefined>;
  /**
   * Inserts a new order. A second order with the same customer and key (a concurrent PlaceOrder
   * that committed first) aborts the transaction: see isDuplicateOrder.
   */
  insert(order: Order): Promise<void>;
  /** Stores a changed order; throws STALE_VERSION unless the stored version is the one before. */
  save(order: Order): Promise<void>;
  addHistory(entries: readonly HistoryEntry[]): Promise<void>;
  /** Oldest first. */
  history(orderId: string): Promise<HistoryEntry[]>;
  /** Newest first, after the order `afterId` (exclusive), at most `limit`. */
  search(filter: OrderFilter, afterId: string | undefined, limit: number): Promise<Order[]>;
}

/** True when `error` is the unique violation of a repeated (customer, idempotency key). */
export function isDuplicateOrder(error: unknown): boolean {
  return isUniqueViolation(error, ORDERS_IDEMPOTENCY_CONSTRAINT);
}

/** The columns of an order row, in the order toOrder reads and insert writes them. */

/** An order row as the driver hands it over. */
export type RawOrder = Record<string, unknown>;

/** The orders repository (orders and their history) on one EntityManager. */
export function createOrderRepository(em: EntityManager): OrderRepository {
  return {
    async byId(id, options = {}) {
      const rows = await em.execute<RawOrder[]>(
        `select ${ORDER_COLUMNS} from orders where id = ?${options.lock ? " for update" : ""}`,
        [id],
      );
      return rows[0] ? toOrder(rows[0]) : undefined;
    },
    async byIdempotencyKey(customerId, key) {
      const rows = await em.execute<RawOrder[]>(
        `select ${ORDER_COLUMNS} from orders where customer_id = ? and idempotency_key = ?`,
        [customerId, key],
      );
      return rows[0] ? toOrder(rows[0]) : undefined;
    },
    async insert(order) {
      const q = ormPlaceholders();
      await em.execute(
        `insert into orders (${ORDER_COLUMNS}) values (${valuesOf(ORDER_FIELDS, order, q.add)})`,
        q.values,
        "run",
      );
    },
    async save(order) {
      const q = ormPlaceholders();
      const set = assignmentsOf(ORDER_UPDATE_FIELDS, order, q.add);
      const result = await em.execute<{ affectedRows: number }>(
        `update orders set ${set} where id = ? and version = ?`,
        [...q.values, order.id, order.version - 1],
        "run",
      );
      if (result.affectedRows !== 1) throw staleVersion(`order ${order.id} changed meanwhile`);
    },
    async addHistory(entries) {
      for (const entry of entries) {
        await em.execute(
          `insert into order_history (order_id, from_status, to_status, actor, reason, create_time)
           values (?, ?, ?, ?, ?, ?)`,
          [
            entry.orderId,
            entry.fromStatus ?? null,
            entry.toStatus,
            entry.actor,
            entry.reason,
            entry.createTime,
          ],
          "run",
        );
      }
    },
    async history(orderId) {
      const rows = await em.execute<RawOrder[]>(
        `select order_id, from_status, to_status, actor, reason, create_time
         from order_history where order_id = ? order by id`,
        [orderId],
      );
      return rows.map((row) => ({
        orderId: row.order_id as string,
        fromStatus: (row.from_status ?? undefined) as OrderStatus | undefined,
        toStatus: row.to_status as OrderStatus,
        actor: row.actor as string,
        reason: row.reason as string,
        createTime: toDate(row.create_time),
      }));
    },
    async search(filter, afterId, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.customerId) {
        where.push("customer_id = ?");
        params.push(filter.customerId);
      }
      if (filter.statuses && filter.statuses.length > 0) {
        where.push("status in (?)");
        params.push([...filter.statuses]);
      }
      if (filter.createdFrom) {
        where.push("create_time >= ?");
        params.push(filter.createdFrom);
      }
      if (filter.createdBefore) {
        where.push("create_time < ?");
        params.push(filter.createdBefore);
      }
      if (filter.minTotal !== undefined) {
        where.push("total_minor >= ?");
        params.push(filter.minTotal.toString());
      }
      if (filter.maxTotal !== undefined) {
        where.push("total_minor <= ?");
        params.push(filter.maxTotal.toString());
      }
      if (afterId) {
        where.push("id < ?");
        params.push(afterId);
      }
      const rows = await em.execute<RawOrder[]>(
        `select ${ORDER_COLUMNS} from orders ${where.length ? `where ${where.join(" and ")}` : ""}
         order by id desc limit ?`,
        [...params, limit],
      );
      return rows.map(toOrder);
    },
  };
}

/** An order row as the domain's record. */
export function toOrder(row: RawOrder): Order {
  return {
    id: row.id as string,
    customerId: row.customer_id as string,
    status: row.status as OrderStatus,
    lines: (row.lines as StoredLine[]).map((line) => ({
      ...line,
      quantity: toNumber(line.quantity),
      unitPrice: BigInt(line.unitPrice),
      weightGrams: toNumber(line.weightGrams),
      returnedQuantity: toNumber(line.returnedQuantity),
    })),
    currency: row.currency as string,
    subtotal: toBigInt(row.subtotal_minor),
    shippingTotal: toBigInt(row.shipping_minor),
    total: toBigInt(row.total_minor),
    refundedTotal: toBigInt(row.refunded_minor),
    shippingAddress: row.shipping_address as PostalAddress,
    shippingMethod: row.shipping_method as ShippingMethodName,
    paymentIntentId: row.payment_intent_id as string,
    paymentBrand: row.payment_brand as string,
    paymentLast4: row.payment_last4 as string,
    shipmentId: row.shipment_id as string,
    trackingNumber: row.tracking_number as string,
    carrier: row.carrier as string,
    failureCode: row.failure_code as string,
    failureReason: row.failure_reason as string,
    idempotencyKey: row.idempotency_key as string,
    requestFingerprint: row.request_fingerprint as string,
    shipTime: toOptionalDate(row.ship_time),
    deliverTime: toOptionalDate(row.deliver_time),
    createTime: toDate(row.create_time),
    updateTime: toDate(row.update_time),
    version: toNumber(row.version),
  };
}
