import { timestampDate } from "@bufbuild/protobuf/wkt";
import type {
  EmailVerificationRequested,
  PasswordResetRequested,
  UserRegistered,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import type { LowStock } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import type { Order, OrderLine } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { NotificationIntent, TemplateData } from "./intent.ts";
import { moneyData } from "./money.ts";

/**
 * Events → intents. Pure: each function reads an event's message and says what to send, to
 * whom, with which facts. The consumers call them and hand the intent to the intake.
 */

/** A user's account facts that identity's account events carry. */
function accountAudience(event: { userId: string; email: string; locale: string; displayName: string }) {
  return {
    kind: "user" as const,
    userId: event.userId,
    email: event.email,
    ...(event.locale ? { locale: event.locale } : {}),
    ...(event.displayName ? { name: event.displayName } : {}),
  };
}

/** UserRegistered → the welcome message. Once per user. */
export function welcomeIntent(event: UserRegistered): NotificationIntent {
  return {
    type: "welcome",
    audience: accountAudience(event),
    data: { email: event.email },
    dedupeKey: `welcome:${event.userId}`,
    link: "/account",
  };
}

/** EmailVerificationRequested → the link that verifies the address. Each request mails its own token. */
export function emailVerificationIntent(
  event: EmailVerificationRequested,
  eventId: string,
): NotificationIntent {
  return {
    type: "email_verification",
    audience: accountAudience(event),
    data: {
      email: event.email,
      token: event.token,
      expire_time: event.expireTime ? timestampDate(event.expireTime).toISOString() : null,
    },
    dedupeKey: `email_verification:${eventId}`,
    link: "",
  };
}

/** PasswordResetRequested → the reset link, to the address the request was made for. */
export function passwordResetIntent(event: PasswordResetRequested, eventId: string): NotificationIntent {
  return {
    type: "password_reset",
    audience: accountAudience(event),
    data: {
      email: event.email,
      token: event.token,
      expire_time: event.expireTime ? timestampDate(event.expireTime).toISOString() : null,
    },
    dedupeKey: `password_reset:${eventId}`,
    link: "",
  };
}

/** The order types that happen once per order. */
type OnceOrderType =
  | "order_confirmed"
  | "order_failed"
  | "order_cancelled"
  | "order_shipped"
  | "order_delivered";

/**
 * An order's status change → its message for the customer, once per order and type. SMS (when
 * the customer turned it on) goes to the phone of the shipping address.
 */
export function orderIntent(type: OnceOrderType, order: Order, extra: TemplateData = {}): NotificationIntent {
  const phone = order.shippingAddress?.phone ?? "";
  return {
    type,
    audience: { kind: "user", userId: order.customerId, ...(phone ? { phone } : {}) },
    data: { order: orderData(order), ...extra },
    dedupeKey: `${type}:${order.id}`,
    link: `/orders/${order.id}`,
  };
}

/** OrderRefunded → the refund message; an order may be refunded more than once, so per event. */
export function orderRefundedIntent(
  order: Order,
  amount: { amountMinor: bigint; currency: string } | undefined,
  reason: string,
  eventId: string,
): NotificationIntent {
  return {
    type: "order_refunded",
    audience: { kind: "user", userId: order.customerId },
    data: { order: orderData(order), refund: { amount: { ...moneyData(amount) }, reason } },
    dedupeKey: `order_refunded:${eventId}`,
    link: `/orders/${order.id}`,
  };
}

/** LowStock → an alert to every admin, per crossing (inventory publishes one per crossing). */
export function lowStockIntent(event: LowStock, eventId: string): NotificationIntent {
  return {
    type: "low_stock",
    audience: { kind: "admins" },
    data: {
      sku: event.sku,
      available: String(event.available),
      threshold: String(event.lowStockThreshold),
    },
    dedupeKey: `low_stock:${eventId}`,
    link: "",
  };
}

/** The facts of an order that messages show: lines, totals, address, payment, tracking. */
export function orderData(order: Order): TemplateData {
  const address = order.shippingAddress;
  return {
    id: order.id,
    // The random tail of the UUIDv7: short enough to read out on the phone, unique enough to find it.
    reference: order.id.replace(/-/g, "").slice(-8).toUpperCase(),
    lines: order.lines.map(lineData),
    item_count: order.lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal: { ...moneyData(order.subtotal) },
    shipping_total: { ...moneyData(order.shippingTotal) },
    total: { ...moneyData(order.total) },
    refunded_total: { ...moneyData(order.refundedTotal) },
    shipping_method: shippingMethodName(order.shippingMethod),
    shipping_address: address
      ? {
          recipient: address.recipient,
          line1: address.line1,
          line2: address.line2,
          city: address.city,
          region: address.region,
          postal_code: address.postalCode,
          country_code: address.countryCode,
        }
      : null,
    payment_brand: order.paymentBrand,
    payment_last4: order.paymentLast4,
    carrier: order.carrier,
    tracking_number: order.trackingNumber,
    failure_code: order.failureCode,
    failure_reason: order.failureReason,
    create_time: order.createTime ? timestampDate(order.createTime).toISOString() : null,
  };
}

function lineData(line: OrderLine): TemplateData {
  return {
    sku: line.sku,
    product_name: line.productName,
    title: line.title,
    quantity: line.quantity,
    unit_price: { ...moneyData(line.unitPrice) },
    line_total: { ...moneyData(line.lineTotal) },
  };
}

function shippingMethodName(method: ShippingMethod): string {
  if (method === ShippingMethod.EXPRESS) return "express";
  if (method === ShippingMethod.STANDARD) return "standard";
  return "";
}
