import {
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderDeliveredSchema,
  OrderFailedSchema,
  OrderPlacedSchema,
  OrderRefundedSchema,
  OrderShippedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { failedPrecondition, invalidState } from "@shopmesh/kit/errors";
import { moneyMessage, orderMessage } from "./messages.ts";

/**
 * The order aggregate: its lines priced when it was placed, its totals, and its status, which
 * moves only along TRANSITIONS. Every status change comes with a history entry (who, why) and
 * the event that announces it; every change raises `version`.
 */

export const ORDER_STATUSES = [
  "pending",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
  "failed",
  "partially_refunded",
  "refunded",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type ShippingMethodName = "standard" | "express";

/** Where the parcel goes (shopmesh.common.v1.Address). */
export interface PostalAddress {
  recipient: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

/** One SKU of an order, priced when the order was placed. Amounts in the order's currency. */
export interface OrderLine {
  sku: string;
  productId: string;
  variantId: string;
  productName: string;
  title: string;
  quantity: number;
  unitPrice: bigint;
  weightGrams: number;
  /** Units returned and refunded so far. */
  returnedQuantity: number;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  currency: string;
  /** Sum of unit price × quantity over the lines. */
  subtotal: bigint;
  shippingTotal: bigint;
  /** subtotal + shippingTotal: what is charged. */
  total: bigint;
  /** What went back to the customer so far; never more than total. */
  refundedTotal: bigint;
  shippingAddress: PostalAddress;
  shippingMethod: ShippingMethodName;
  paymentIntentId: string;
  paymentBrand: string;
  paymentLast4: string;
  shipmentId: string;
  trackingNumber: string;
  carrier: string;
  failureCode: string;
  failureReason: string;
  /** The client's PlaceOrder idempotency key, unique per customer. */
  idempotencyKey: string;
  /** A hash of the PlaceOrder request the key was first used with. */
  requestFingerprint: string;
  /** When the carrier took the parcel; undefined before. */
  shipTime: Date | undefined;
  /** When it was delivered; returns are possible from then on. */
  deliverTime: Date | undefined;
  createTime: Date;
  updateTime: Date;
  /** Raised by every change. */
  version: number;
}

/** One status change. fromStatus is undefined for the order's creation. */
export interface HistoryEntry {
  orderId: string;
  fromStatus: OrderStatus | undefined;
  toStatus: OrderStatus;
  /** "user:<id>", "service:<name>" or "system". */
  actor: string;
  reason: string;
  createTime: Date;
}

/** An order after a change, the history entries and events of the change. */
export interface OrderChange {
  order: Order;
  history: HistoryEntry[];
  events: DomainEvent[];
}

/** The actor of the saga's own changes. */
export const ORDER_SERVICE_ACTOR = "service:order";

/**
 * The legal status changes (order.proto): checkout ends PENDING in CONFIRMED or FAILED;
 * CONFIRMED → SHIPPED → DELIVERED; CONFIRMED → CANCELLED; refunds from any paid status. A
 * partial refund of a partially refunded order keeps its status but is still recorded.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ["confirmed", "failed"],
  confirmed: ["shipped", "cancelled", "partially_refunded", "refunded"],
  shipped: ["delivered", "partially_refunded", "refunded"],
  delivered: ["partially_refunded", "refunded"],
  partially_refunded: ["partially_refunded", "refunded"],
  cancelled: [],
  failed: [],
  refunded: [],
};

/** Statuses in which money was taken and may be refunded. */
export const PAID_STATUSES: readonly OrderStatus[] = [
  "confirmed",
  "shipped",
  "delivered",
  "partially_refunded",
];

/** True when the order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True once the order can change no more. */
export function isTerminal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/**
 * Moves the order to `to` (with `patch` applied), or throws FAILED_PRECONDITION INVALID_STATE
 * for a transition TRANSITIONS does not allow.
 */
export function transition(
  order: Order,
  to: OrderStatus,
  by: { actor: string; reason: string },
  now: Date,
  patch: Partial<Order> = {},
): { order: Order; entry: HistoryEntry } {
  if (!canTransition(order.status, to)) {
    throw invalidState(`order ${order.id} is ${order.status} and cannot become ${to}`);
  }
  return {
    order: { ...order, ...patch, status: to, updateTime: now, version: order.version + 1 },
    entry: {
      orderId: order.id,
      fromStatus: order.status,
      toStatus: to,
      actor: by.actor,
      reason: by.reason,
      createTime: now,
    },
  };
}

export interface PlaceOrderInput {
  id: string;
  customerId: string;
  lines: OrderLine[];
  currency: string;
  shippingAddress: PostalAddress;
  shippingMethod: ShippingMethodName;
  idempotencyKey: string;
  requestFingerprint: string;
}

/** A new PENDING order; its checkout saga starts next. Records OrderPlaced. */
export function placeOrder(input: PlaceOrderInput, now: Date): OrderChange {
  const subtotal = subtotalOf(input.lines);
  const order: Order = {
    ...input,
    status: "pending",
    subtotal,
    shippingTotal: 0n,
    total: subtotal,
    refundedTotal: 0n,
    paymentIntentId: "",
    paymentBrand: "",
    paymentLast4: "",
    shipmentId: "",
    trackingNumber: "",
    carrier: "",
    failureCode: "",
    failureReason: "",
    shipTime: undefined,
    deliverTime: undefined,
    createTime: now,
    updateTime: now,
    version: 1,
  };
  return {
    order,
    history: [
      {
        orderId: order.id,
        fromStatus: undefined,
        toStatus: "pending",
        actor: `user:${order.customerId}`,
        reason: "checkout started",
        createTime: now,
      },
    ],
    events: [domainEvent(OrderPlacedSchema, order.id, { order: orderMessage(order) })],
  };
}

/** Sum of unit price × quantity. */
export function subtotalOf(lines: readonly OrderLine[]): bigint {
  return lines.reduce((sum, line) => sum + line.unitPrice * BigInt(line.quantity), 0n);
}

/** Changes of a PENDING order's details while its checkout runs: no status change, no event. */
function whilePending(order: Order, patch: Partial<Order>, now: Date): Order {
  if (order.status !== "pending") throw invalidState(`order ${order.id} is ${order.status}, not pending`);
  return { ...order, ...patch, updateTime: now, version: order.version + 1 };
}

/** The shipping price quoted for the order: the total becomes subtotal + shipping. */
export function applyShippingPrice(order: Order, price: bigint, now: Date): Order {
  return whilePending(order, { shippingTotal: price, total: order.subtotal + price }, now);
}

/** The payment intent that holds the total (once known), and what paid. */
export function recordPayment(
  order: Order,
  payment: { intentId: string; brand: string; last4: string },
  now: Date,
): Order {
  return whilePending(
    order,
    { paymentIntentId: payment.intentId, paymentBrand: payment.brand, paymentLast4: payment.last4 },
    now,
  );
}

/** The shipment created for the order. */
export function recordShipment(
  order: Order,
  shipment: { shipmentId: string; trackingNumber: string; carrier: string },
  now: Date,
): Order {
  return whilePending(order, shipment, now);
}

/** Checkout succeeded: stock committed, payment captured, shipment created. Records OrderConfirmed. */
export function confirmOrder(order: Order, now: Date): OrderChange {
  const { order: confirmed, entry } = transition(
    order,
    "confirmed",
    { actor: ORDER_SERVICE_ACTOR, reason: "checkout completed" },
    now,
  );
  return {
    order: confirmed,
    history: [entry],
    events: [domainEvent(OrderConfirmedSchema, order.id, { order: orderMessage(confirmed) })],
  };
}

/** Checkout failed and was compensated: nothing is held or charged. Records OrderFailed. */
export function failOrder(order: Order, failure: { code: string; reason: string }, now: Date): OrderChange {
  const { order: failed, entry } = transition(
    order,
    "failed",
    { actor: ORDER_SERVICE_ACTOR, reason: `${failure.code}: ${failure.reason}` },
    now,
    { failureCode: failure.code, failureReason: failure.reason },
  );
  return {
    order: failed,
    history: [entry],
    events: [domainEvent(OrderFailedSchema, order.id, { order: orderMessage(failed) })],
  };
}

/** Checks that a CONFIRMED order may be cancelled, before anything is undone. */
export function checkCancellable(order: Order): void {
  if (order.status !== "confirmed" || order.shipTime !== undefined) {
    throw invalidState(
      `order ${order.id} is ${order.status}; only a confirmed order that has not shipped can be cancelled`,
    );
  }
}

/**
 * The cancellation of a CONFIRMED order is done (shipment cancelled, stock back, `refunded` paid
 * back): CANCELLED. Records OrderCancelled, and OrderRefunded when money went back.
 */
export function cancelOrder(
  order: Order,
  by: { actor: string; reason: string },
  refunded: bigint,
  now: Date,
): OrderChange {
  const { order: cancelled, entry } = transition(order, "cancelled", by, now, {
    refundedTotal: order.refundedTotal + refunded,
  });
  const message = orderMessage(cancelled);
  const events: DomainEvent[] = [];
  if (refunded > 0n) {
    events.push(
      domainEvent(OrderRefundedSchema, order.id, {
        order: message,
        amount: moneyMessage(refunded, order.currency),
        reason: by.reason,
      }),
    );
  }
  events.push(domainEvent(OrderCancelledSchema, order.id, { order: message, reason: by.reason }));
  return { order: cancelled, history: [entry], events };
}

/** An unchanged order: what an idempotent repeat answers. */
function unchanged(order: Order): OrderChange {
  return { order, history: [], events: [] };
}

/**
 * The carrier has the parcel: CONFIRMED → SHIPPED. An order that shipped already is answered
 * unchanged, so a repeated event or call has no second effect. A confirmed order that staff
 * refunded in part keeps PARTIALLY_REFUNDED (no transition leaves it but to REFUNDED); its
 * shipping is still recorded. Records OrderShipped.
 */
export function markShipped(order: Order, by: { actor: string; reason: string }, now: Date): OrderChange {
  if (order.shipTime !== undefined) return unchanged(order);
  const to: OrderStatus = order.status === "partially_refunded" ? "partially_refunded" : "shipped";
  const { order: shipped, entry } = transition(order, to, by, now, { shipTime: now });
  return {
    order: shipped,
    history: [entry],
    events: [domainEvent(OrderShippedSchema, order.id, { order: orderMessage(shipped) })],
  };
}

/**
 * The parcel arrived: SHIPPED → DELIVERED. An order whose shipping was never reported goes
 * through SHIPPED first (both recorded); one delivered already is answered unchanged; a partially
 * refunded one keeps its status with the delivery recorded (returns open from then on). Records
 * OrderDelivered (and OrderShipped when it passes through SHIPPED).
 */
export function markDelivered(order: Order, by: { actor: string; reason: string }, now: Date): OrderChange {
  if (order.deliverTime !== undefined) return unchanged(order);
  const history: HistoryEntry[] = [];
  const events: DomainEvent[] = [];
  let current = order;
  if (current.shipTime === undefined) {
    const shipped = markShipped(current, by, now);
    current = shipped.order;
    history.push(...shipped.history);
    events.push(...shipped.events);
  }
  const to: OrderStatus = current.status === "partially_refunded" ? "partially_refunded" : "delivered";
  const { order: delivered, entry } = transition(current, to, by, now, { deliverTime: now });
  history.push(entry);
  events.push(domainEvent(OrderDeliveredSchema, order.id, { order: orderMessage(delivered) }));
  return { order: delivered, history, events };
}

/** What may still be refunded: the total charged minus what went back already. */
export function refundable(order: Order): bigint {
  return order.total - order.refundedTotal;
}

/**
 * Checks that `amount` may be refunded now: the order is paid and the amount is positive and at
 * most what is left (FAILED_PRECONDITION REFUND_EXCEEDS_CAPTURED beyond). `pending` is what
 * refunds under way will take.
 */
export function checkRefund(order: Order, amount: bigint, pending = 0n): void {
  if (!PAID_STATUSES.includes(order.status)) {
    throw invalidState(`order ${order.id} is ${order.status}; nothing can be refunded`);
  }
  const left = refundable(order) - pending;
  if (amount <= 0n || amount > left) {
    throw failedPrecondition(
      `a refund of ${amount} ${order.currency} exceeds what is left to refund (${left < 0n ? 0n : left})`,
      "REFUND_EXCEEDS_CAPTURED",
    );
  }
}

/**
 * A refund went through: refundedTotal grows by `amount`; the order becomes REFUNDED once all of
 * the total went back, PARTIALLY_REFUNDED before. Units of a return are counted as returned.
 * Records OrderRefunded.
 */
export function refundOrder(
  order: Order,
  refund: {
    amount: bigint;
    actor: string;
    reason: string;
    returned?: readonly { sku: string; quantity: number }[];
  },
  now: Date,
): OrderChange {
  checkRefund(order, refund.amount);
  const refundedTotal = order.refundedTotal + refund.amount;
  const lines = order.lines.map((line) => {
    const back = (refund.returned ?? [])
      .filter((r) => r.sku === line.sku)
      .reduce((sum, r) => sum + r.quantity, 0);
    return back === 0 ? line : { ...line, returnedQuantity: line.returnedQuantity + back };
  });
  const to: OrderStatus = refundedTotal === order.total ? "refunded" : "partially_refunded";
  const { order: refunded, entry } = transition(order, to, refund, now, { refundedTotal, lines });
  return {
    order: refunded,
    history: [entry],
    events: [
      domainEvent(OrderRefundedSchema, order.id, {
        order: orderMessage(refunded),
        amount: moneyMessage(refund.amount, order.currency),
        reason: refund.reason,
      }),
    ],
  };
}
