import type { Message } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type CartCreated, CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import type { Money } from "@shopmesh/contracts/shopmesh/common/v1/money_pb";
import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import {
  type OrderCancelled,
  OrderCancelledSchema,
  type OrderConfirmed,
  OrderConfirmedSchema,
  type OrderFailed,
  OrderFailedSchema,
  type OrderPlaced,
  OrderPlacedSchema,
  type OrderRefunded,
  OrderRefundedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import type { Order } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { type PaymentFailed, PaymentFailedSchema } from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";

/**
 * The analytics projections of the admin dashboard, as pure changes: each event becomes a list
 * of additions to counters keyed by day (UTC) and currency. Additions commute, so the figures
 * depend only on which events were applied, never on their order: the live consumers (one per
 * stream, interleaved) and a replay of the streams one after another end with the same tables.
 *
 * Day of an order's checkout figures (placed, confirmed, failed, revenue, products sold): the
 * day the order was placed (order.create_time), so a day's conversion compares the checkouts
 * started that day with how many of them were confirmed. Carts count on the day they were
 * created (create_time), so a day's checkout conversion compares the carts created that day with
 * the orders placed that day. Refunds, cancellations, failed payments and signups count on the
 * day of their event (ce-time).
 */

/** The projection tables and their counters. */
export interface ProjectionRows {
  orders_daily: {
    key: { day: string; currency: string };
    add: Partial<
      Record<
        | "orders_placed"
        | "orders_confirmed"
        | "orders_failed"
        | "orders_cancelled"
        | "revenue_minor"
        | "refunds"
        | "refunded_minor",
        bigint
      >
    >;
  };
  failed_orders_daily: {
    key: { day: string; currency: string; failure_code: string };
    add: { orders: bigint };
  };
  failed_payments_daily: {
    key: { day: string; currency: string; failure_code: string };
    add: { payments: bigint; amount_minor: bigint };
  };
  signups_daily: { key: { day: string }; add: { signups: bigint } };
  carts_daily: { key: { day: string }; add: { carts_created: bigint } };
  product_sales_daily: {
    key: { day: string; currency: string; sku: string };
    add: { units: bigint; revenue_minor: bigint };
  };
}

export type ProjectionTable = keyof ProjectionRows;

/** One addition to one row of one table (the row is created at 0 when missing). */
export type CounterChange = {
  [T in ProjectionTable]: { kind: "add"; table: T } & ProjectionRows[T];
}[ProjectionTable];

/**
 * The latest known name of a SKU: kept when `seenTime` is later than the stored one (ties by
 * name), so the result does not depend on the order of events either.
 */
export interface ProductNameChange {
  kind: "product_name";
  sku: string;
  productId: string;
  productName: string;
  seenTime: Date;
}

export type ProjectionChange = CounterChange | ProductNameChange;

/** The event facts projections read. */
export interface ProjectedEvent {
  type: string;
  /** ce-time. */
  time: Date;
  data: Message;
}

/** What one event changes in the projections; most events change nothing. */
export function projectEvent(event: ProjectedEvent): ProjectionChange[] {
  const handler = HANDLERS[event.type];
  return handler ? handler(event.data, event.time) : [];
}

type Handler = (data: Message, time: Date) => ProjectionChange[];

const HANDLERS: Record<string, Handler> = {
  [UserRegisteredSchema.typeName]: (_data, time) => [
    { kind: "add", table: "signups_daily", key: { day: utcDay(time) }, add: { signups: 1n } },
  ],

  [CartCreatedSchema.typeName]: (data, time) => {
    const cart = data as CartCreated;
    const day = utcDay(cart.createTime ? timestampDate(cart.createTime) : time);
    return [{ kind: "add", table: "carts_daily", key: { day }, add: { carts_created: 1n } }];
  },

  [OrderPlacedSchema.typeName]: (data, time) => {
    const order = (data as OrderPlaced).order;
    return [ordersDaily(order, time, { orders_placed: 1n })];
  },

  [OrderConfirmedSchema.typeName]: (data, time) => {
    const order = (data as OrderConfirmed).order;
    const day = checkoutDay(order, time);
    const changes: ProjectionChange[] = [
      ordersDaily(order, time, { orders_confirmed: 1n, revenue_minor: amount(order?.total) }),
    ];
    for (const line of order?.lines ?? []) {
      if (!line.sku) continue;
      changes.push({
        kind: "add",
        table: "product_sales_daily",
        key: { day, currency: line.lineTotal?.currency || currencyOf(order), sku: line.sku },
        add: { units: BigInt(line.quantity), revenue_minor: amount(line.lineTotal) },
      });
      changes.push({
        kind: "product_name",
        sku: line.sku,
        productId: line.productId,
        productName: line.productName,
        seenTime: time,
      });
    }
    return changes;
  },

  [OrderFailedSchema.typeName]: (data, time) => {
    const order = (data as OrderFailed).order;
    return [
      ordersDaily(order, time, { orders_failed: 1n }),
      {
        kind: "add",
        table: "failed_orders_daily",
        key: {
          day: checkoutDay(order, time),
          currency: currencyOf(order),
          failure_code: order?.failureCode || UNKNOWN_CODE,
        },
        add: { orders: 1n },
      },
    ];
  },

  [OrderCancelledSchema.typeName]: (data, time) => {
    const order = (data as OrderCancelled).order;
    return [
      {
        kind: "add",
        table: "orders_daily",
        key: { day: utcDay(time), currency: currencyOf(order) },
        add: { orders_cancelled: 1n },
      },
    ];
  },

  [OrderRefundedSchema.typeName]: (data, time) => {
    const refunded = data as OrderRefunded;
    return [
      {
        kind: "add",
        table: "orders_daily",
        key: { day: utcDay(time), currency: refunded.amount?.currency || currencyOf(refunded.order) },
        add: { refunds: 1n, refunded_minor: amount(refunded.amount) },
      },
    ];
  },

  [PaymentFailedSchema.typeName]: (data, time) => {
    const intent = (data as PaymentFailed).paymentIntent;
    return [
      {
        kind: "add",
        table: "failed_payments_daily",
        key: {
          day: utcDay(time),
          currency: intent?.amount?.currency ?? "",
          failure_code: intent?.failureCode || UNKNOWN_CODE,
        },
        add: { payments: 1n, amount_minor: amount(intent?.amount) },
      },
    ];
  },
};

/** The failure code counted when an event names none. */
export const UNKNOWN_CODE = "unknown";

/** The event types that change projections (the rebuild reads only these). */
export const PROJECTED_TYPES: ReadonlySet<string> = new Set(Object.keys(HANDLERS));

/** "YYYY-MM-DD" of a time, in UTC. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

function ordersDaily(
  order: Order | undefined,
  time: Date,
  add: ProjectionRows["orders_daily"]["add"],
): CounterChange {
  return {
    kind: "add",
    table: "orders_daily",
    key: { day: checkoutDay(order, time), currency: currencyOf(order) },
    add,
  };
}

/** The day the order was placed; the event's day when the order carries no create_time. */
function checkoutDay(order: Order | undefined, time: Date): string {
  return utcDay(order?.createTime ? timestampDate(order.createTime) : time);
}

function currencyOf(order: Order | undefined): string {
  return order?.total?.currency || order?.subtotal?.currency || "";
}

function amount(money: Money | undefined): bigint {
  return money?.amountMinor ?? 0n;
}
