import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { z } from "@hono/zod-openapi";
import type { Money } from "@shopmesh/contracts/shopmesh/common/v1/money_pb";
import {
  type Order,
  type OrderHistoryEntry,
  OrderStatus,
  type Return,
  ReturnStatus,
  type SearchOrdersRequestSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import {
  LedgerEntryKind,
  type ListOrderPaymentsResponse,
  type PaymentIntent,
  PaymentStatus,
} from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import {
  type Shipment,
  ShipmentStatus,
  ShippingMethod,
} from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { moneyJson } from "../cart/mappers.ts";
import { isoTime, postalAddressJson } from "../identity/mappers.ts";
import type {
  AdminOrderQuerySchema,
  CheckoutSchema,
  LEDGER_KINDS,
  ORDER_STATUSES,
  OrderHistoryEntrySchema,
  OrderSchema,
  OrderStatusName,
  OrderSummarySchema,
  PAYMENT_STATUSES,
  PaymentsSchema,
  RETURN_STATUSES,
  ReturnSchema,
  SHIPMENT_STATUSES,
  SHIPPING_METHODS,
  ShipmentSchema,
} from "./schemas.ts";

/** Proto → JSON for orders, returns, payments and shipments; explicit, so the REST shape is ours. */

export const ORDER_STATUS_VALUES: Record<(typeof ORDER_STATUSES)[number], OrderStatus> = {
  pending: OrderStatus.PENDING,
  confirmed: OrderStatus.CONFIRMED,
  shipped: OrderStatus.SHIPPED,
  delivered: OrderStatus.DELIVERED,
  cancelled: OrderStatus.CANCELLED,
  failed: OrderStatus.FAILED,
  partially_refunded: OrderStatus.PARTIALLY_REFUNDED,
  refunded: OrderStatus.REFUNDED,
};
export const SHIPPING_METHOD_VALUES: Record<(typeof SHIPPING_METHODS)[number], ShippingMethod> = {
  standard: ShippingMethod.STANDARD,
  express: ShippingMethod.EXPRESS,
};
const RETURN_STATUS_VALUES: Record<(typeof RETURN_STATUSES)[number], ReturnStatus> = {
  requested: ReturnStatus.REQUESTED,
  approved: ReturnStatus.APPROVED,
  rejected: ReturnStatus.REJECTED,
  refunded: ReturnStatus.REFUNDED,
};
const PAYMENT_STATUS_VALUES: Record<(typeof PAYMENT_STATUSES)[number], PaymentStatus> = {
  requires_confirmation: PaymentStatus.REQUIRES_CONFIRMATION,
  authorized: PaymentStatus.AUTHORIZED,
  captured: PaymentStatus.CAPTURED,
  partially_refunded: PaymentStatus.PARTIALLY_REFUNDED,
  refunded: PaymentStatus.REFUNDED,
  voided: PaymentStatus.VOIDED,
  failed: PaymentStatus.FAILED,
};
const LEDGER_KIND_VALUES: Record<(typeof LEDGER_KINDS)[number], LedgerEntryKind> = {
  authorization: LedgerEntryKind.AUTHORIZATION,
  capture: LedgerEntryKind.CAPTURE,
  void: LedgerEntryKind.VOID,
  refund: LedgerEntryKind.REFUND,
};
const SHIPMENT_STATUS_VALUES: Record<(typeof SHIPMENT_STATUSES)[number], ShipmentStatus> = {
  label_created: ShipmentStatus.LABEL_CREATED,
  in_transit: ShipmentStatus.IN_TRANSIT,
  out_for_delivery: ShipmentStatus.OUT_FOR_DELIVERY,
  delivered: ShipmentStatus.DELIVERED,
  failed: ShipmentStatus.FAILED,
  cancelled: ShipmentStatus.CANCELLED,
};

/** The reverse of a name → value table: value → name, and "unknown" for values it lacks. */
function namer<N extends string, V extends number>(values: Record<N, V>): (value: V) => N | "unknown" {
  const names = new Map<number, N>(Object.entries(values).map(([name, value]) => [value as V, name as N]));
  return (value) => names.get(value) ?? "unknown";
}

export const orderStatusName = namer(ORDER_STATUS_VALUES);
const returnStatusName = namer(RETURN_STATUS_VALUES);
const shippingMethodName = namer(SHIPPING_METHOD_VALUES);
const paymentStatusName = namer(PAYMENT_STATUS_VALUES);
const ledgerKindName = namer(LEDGER_KIND_VALUES);
const shipmentStatusName = namer(SHIPMENT_STATUS_VALUES);

export function orderJson(order: Order | undefined): z.infer<typeof OrderSchema> {
  if (!order) throw new Error("order answered without an order");
  return {
    id: order.id,
    customerId: order.customerId,
    status: orderStatusName(order.status),
    lines: order.lines.map((line) => ({
      sku: line.sku,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      title: line.title,
      quantity: line.quantity,
      unitPrice: moneyJson(line.unitPrice),
      lineTotal: moneyJson(line.lineTotal),
      returnedQuantity: line.returnedQuantity,
    })),
    itemCount: itemCount(order),
    subtotal: moneyJson(order.subtotal),
    shippingTotal: moneyJson(order.shippingTotal),
    total: moneyJson(order.total),
    refundedTotal: zeroOr(order.refundedTotal, order.total),
    shippingAddress: postalAddressJson(order.shippingAddress),
    shippingMethod: shippingMethodName(order.shippingMethod),
    payment: order.paymentIntentId
      ? { intentId: order.paymentIntentId, brand: order.paymentBrand, last4: order.paymentLast4 }
      : null,
    shipment: order.shipmentId
      ? { id: order.shipmentId, carrier: order.carrier, trackingNumber: order.trackingNumber }
      : null,
    failure: order.failureCode ? { code: order.failureCode, reason: order.failureReason } : null,
    createTime: isoTime(order.createTime),
    updateTime: isoTime(order.updateTime),
  };
}

export function historyJson(entry: OrderHistoryEntry): z.infer<typeof OrderHistoryEntrySchema> {
  return {
    from: entry.fromStatus === OrderStatus.UNSPECIFIED ? null : orderStatusName(entry.fromStatus),
    to: orderStatusName(entry.toStatus),
    actor: entry.actor,
    reason: entry.reason,
    createTime: isoTime(entry.createTime),
  };
}

/** Mobile's tile of an order. */
export function orderSummaryJson(order: Order): z.infer<typeof OrderSummarySchema> {
  return {
    id: order.id,
    status: orderStatusName(order.status),
    total: moneyJson(order.total),
    itemCount: itemCount(order),
    firstLineName: order.lines[0]?.productName ?? "",
    createTime: isoTime(order.createTime),
  };
}

/** An amount that may be unset while nothing happened yet: zero, in the currency of `like`. */
function zeroOr(money: Money | undefined, like: Money | undefined) {
  return money ? moneyJson(money) : { amountMinor: 0, currency: like?.currency ?? "" };
}

function itemCount(order: Order): number {
  return order.lines.reduce((sum, line) => sum + line.quantity, 0);
}

export function returnJson(value: Return | undefined): z.infer<typeof ReturnSchema> {
  if (!value) throw new Error("order answered without a return");
  return {
    id: value.id,
    orderId: value.orderId,
    status: returnStatusName(value.status),
    lines: value.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    reason: value.reason,
    refundAmount: value.refundAmount ? moneyJson(value.refundAmount) : null,
    createTime: isoTime(value.createTime),
    updateTime: isoTime(value.updateTime),
  };
}

function paymentIntentJson(intent: PaymentIntent) {
  return {
    id: intent.id,
    provider: intent.provider,
    providerReference: intent.providerReference,
    status: paymentStatusName(intent.status),
    amount: moneyJson(intent.amount),
    capturedAmount: zeroOr(intent.capturedAmount, intent.amount),
    refundedAmount: zeroOr(intent.refundedAmount, intent.amount),
    method: intent.paymentMethod?.brand
      ? { brand: intent.paymentMethod.brand, last4: intent.paymentMethod.last4 }
      : null,
    failure: intent.failureCode ? { code: intent.failureCode, message: intent.failureMessage } : null,
    createTime: isoTime(intent.createTime),
    updateTime: isoTime(intent.updateTime),
  };
}

export function paymentsJson(answer: ListOrderPaymentsResponse): z.infer<typeof PaymentsSchema> {
  return {
    intents: answer.paymentIntents.map(paymentIntentJson),
    refunds: answer.refunds.map((refund) => ({
      id: refund.id,
      paymentIntentId: refund.paymentIntentId,
      amount: moneyJson(refund.amount),
      reason: refund.reason,
      createTime: isoTime(refund.createTime),
    })),
    ledger: answer.ledgerEntries.map((entry) => ({
      id: entry.id,
      paymentIntentId: entry.paymentIntentId,
      kind: ledgerKindName(entry.kind),
      amount: moneyJson(entry.amount),
      createTime: isoTime(entry.createTime),
    })),
  };
}

export function shipmentJson(shipment: Shipment): z.infer<typeof ShipmentSchema> {
  return {
    id: shipment.id,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    method: shippingMethodName(shipment.method),
    status: shipmentStatusName(shipment.status),
    address: postalAddressJson(shipment.address),
    weightGrams: shipment.weightGrams,
    trackingEvents: shipment.trackingEvents.map((event) => ({
      status: shipmentStatusName(event.status),
      location: event.location,
      note: event.note,
      eventTime: isoTime(event.eventTime),
    })),
    createTime: isoTime(shipment.createTime),
    updateTime: isoTime(shipment.updateTime),
  };
}

/** The checkout body → PlaceOrder's fields (the key comes from the Idempotency-Key header). */
export function placeOrderFields(body: z.infer<typeof CheckoutSchema>) {
  return {
    shippingAddress: body.shippingAddress,
    shippingMethod: SHIPPING_METHOD_VALUES[body.shippingMethod],
    paymentToken: body.paymentToken,
  };
}

/** The admin search's query → SearchOrders (absent bounds are 0 / unset: no bound). */
export function searchOrdersRequest(
  query: z.infer<typeof AdminOrderQuerySchema>,
): MessageInitShape<typeof SearchOrdersRequestSchema> {
  return {
    statuses: (query.status ?? []).map((name: OrderStatusName) => ORDER_STATUS_VALUES[name]),
    customerId: query.customerId ?? "",
    ...(query.from ? { createTimeFrom: timestampFromDate(new Date(query.from)) } : {}),
    ...(query.to ? { createTimeTo: timestampFromDate(new Date(query.to)) } : {}),
    minTotalMinor: BigInt(query.minTotal ?? 0),
    maxTotalMinor: BigInt(query.maxTotal ?? 0),
    pageSize: query.pageSize ?? 0,
    pageToken: query.pageToken ?? "",
  };
}
