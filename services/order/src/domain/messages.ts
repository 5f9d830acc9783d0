import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AddressSchema } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import type { MoneySchema } from "@shopmesh/contracts/shopmesh/common/v1/money_pb";
import {
  type OrderHistoryEntrySchema,
  type OrderSchema,
  OrderStatus as OrderStatusProto,
  type ReturnSchema,
  ReturnStatus as ReturnStatusProto,
} from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { HistoryEntry, Order, OrderStatus, PostalAddress, ShippingMethodName } from "./order.ts";
import type { Return, ReturnStatus } from "./returns.ts";

/**
 * Domain → proto. It lives in the domain because the events carry the same messages as the
 * responses (the Order in OrderPlaced is the Order GetOrder answers).
 */

const STATUS: Record<OrderStatus, OrderStatusProto> = {
  pending: OrderStatusProto.PENDING,
  confirmed: OrderStatusProto.CONFIRMED,
  shipped: OrderStatusProto.SHIPPED,
  delivered: OrderStatusProto.DELIVERED,
  cancelled: OrderStatusProto.CANCELLED,
  failed: OrderStatusProto.FAILED,
  partially_refunded: OrderStatusProto.PARTIALLY_REFUNDED,
  refunded: OrderStatusProto.REFUNDED,
};

/** The proto value of a status. */
export function statusToProto(status: OrderStatus): OrderStatusProto {
  return STATUS[status];
}

/** The status of a proto value; undefined for UNSPECIFIED and unknown values. */
export function statusFromProto(value: OrderStatusProto): OrderStatus | undefined {
  return (Object.keys(STATUS) as OrderStatus[]).find((status) => STATUS[status] === value);
}

const METHODS: Record<ShippingMethodName, ShippingMethod> = {
  standard: ShippingMethod.STANDARD,
  express: ShippingMethod.EXPRESS,
};

/** The proto value of a shipping method. */
export function methodToProto(method: ShippingMethodName): ShippingMethod {
  return METHODS[method];
}

/** The method of a proto value; undefined for UNSPECIFIED and unknown values. */
export function methodFromProto(value: ShippingMethod): ShippingMethodName | undefined {
  return (Object.keys(METHODS) as ShippingMethodName[]).find((method) => METHODS[method] === value);
}

const RETURN_STATUS: Record<ReturnStatus, ReturnStatusProto> = {
  requested: ReturnStatusProto.REQUESTED,
  approved: ReturnStatusProto.APPROVED,
  rejected: ReturnStatusProto.REJECTED,
  refunded: ReturnStatusProto.REFUNDED,
};

/** Money of the order's currency as shopmesh.common.v1.Money. */
export function moneyMessage(amountMinor: bigint, currency: string): MessageInitShape<typeof MoneySchema> {
  return { amountMinor, currency };
}

/** An address as shopmesh.common.v1.Address. */
export function addressMessage(address: PostalAddress): MessageInitShape<typeof AddressSchema> {
  return { ...address };
}

/** An order as shopmesh.order.v1.Order (line totals computed). */
export function orderMessage(order: Order): MessageInitShape<typeof OrderSchema> {
  const { currency } = order;
  return {
    id: order.id,
    customerId: order.customerId,
    status: STATUS[order.status],
    lines: order.lines.map((line) => ({
      sku: line.sku,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      title: line.title,
      quantity: line.quantity,
      unitPrice: moneyMessage(line.unitPrice, currency),
      lineTotal: moneyMessage(line.unitPrice * BigInt(line.quantity), currency),
      weightGrams: line.weightGrams,
      returnedQuantity: line.returnedQuantity,
    })),
    subtotal: moneyMessage(order.subtotal, currency),
    shippingTotal: moneyMessage(order.shippingTotal, currency),
    total: moneyMessage(order.total, currency),
    refundedTotal: moneyMessage(order.refundedTotal, currency),
    shippingAddress: addressMessage(order.shippingAddress),
    shippingMethod: METHODS[order.shippingMethod],
    paymentIntentId: order.paymentIntentId,
    paymentBrand: order.paymentBrand,
    paymentLast4: order.paymentLast4,
    shipmentId: order.shipmentId,
    trackingNumber: order.trackingNumber,
    carrier: order.carrier,
    failureCode: order.failureCode,
    failureReason: order.failureReason,
    createTime: timestampFromDate(order.createTime),
    updateTime: timestampFromDate(order.updateTime),
    version: BigInt(order.version),
  };
}

/** A history entry as shopmesh.order.v1.OrderHistoryEntry (UNSPECIFIED before the first status). */
export function historyMessage(entry: HistoryEntry): MessageInitShape<typeof OrderHistoryEntrySchema> {
  return {
    fromStatus: entry.fromStatus ? STATUS[entry.fromStatus] : OrderStatusProto.UNSPECIFIED,
    toStatus: STATUS[entry.toStatus],
    actor: entry.actor,
    reason: entry.reason,
    createTime: timestampFromDate(entry.createTime),
  };
}

/** A return as shopmesh.order.v1.Return. */
export function returnMessage(ret: Return): MessageInitShape<typeof ReturnSchema> {
  return {
    id: ret.id,
    orderId: ret.orderId,
    status: RETURN_STATUS[ret.status],
    lines: ret.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    reason: ret.reason,
    refundAmount: moneyMessage(ret.refundAmount, ret.currency),
    createTime: timestampFromDate(ret.createTime),
    updateTime: timestampFromDate(ret.updateTime),
  };
}
