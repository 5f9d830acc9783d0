import { ReturnRequestedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { type FieldViolation, invalidState, throwIfInvalid } from "@shopmesh/kit/errors";
import { orderMessage, returnMessage } from "./messages.ts";
import type { Order } from "./order.ts";

/**
 * Returns of a delivered order: the customer asks (REQUESTED), staff approve or reject, and when
 * the goods of an approved return arrive the unit prices of the returned units are refunded
 * (REFUNDED). A customer can never return more units of a SKU than were bought and not yet
 * returned, counting the units of returns still open.
 */

export type ReturnStatus = "requested" | "approved" | "rejected" | "refunded";

export interface ReturnLine {
  sku: string;
  quantity: number;
}

export interface Return {
  id: string;
  orderId: string;
  status: ReturnStatus;
  lines: ReturnLine[];
  reason: string;
  /** Staff's note when reviewing. */
  note: string;
  /** The unit prices of the returned units, in the order's currency. */
  refundAmount: bigint;
  currency: string;
  createTime: Date;
  updateTime: Date;
}

export const MAX_REASON_LENGTH = 500;

/** Returns still open: their units are spoken for. */
export function isOpen(ret: Return): boolean {
  return ret.status === "requested" || ret.status === "approved";
}

/** Units of each SKU that may still be returned: bought − returned − held by open returns. */
export function returnableUnits(order: Order, returns: readonly Return[]): Map<string, number> {
  const units = new Map(order.lines.map((line) => [line.sku, line.quantity - line.returnedQuantity]));
  for (const ret of returns.filter(isOpen)) {
    for (const line of ret.lines) units.set(line.sku, (units.get(line.sku) ?? 0) - line.quantity);
  }
  return units;
}

/** Violations of the lines and reason of a return request against what may still be returned. */
export function checkReturnRequest(
  order: Order,
  request: { lines: readonly ReturnLine[]; reason: string },
  returns: readonly Return[],
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (request.lines.length === 0) violations.push({ field: "lines", description: "must not be empty" });
  const left = returnableUnits(order, returns);
  const seen = new Set<string>();
  request.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    if (!left.has(line.sku)) {
      violations.push({ field: `${at}.sku`, description: "is not a SKU of this order" });
      return;
    }
    if (seen.has(line.sku)) {
      violations.push({ field: `${at}.sku`, description: "appears twice; one line per SKU" });
      return;
    }
    seen.add(line.sku);
    const max = Math.max(0, left.get(line.sku) ?? 0);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > max) {
      violations.push({
        field: `${at}.quantity`,
        description: `must be between 1 and ${max} (bought, less returned and in open returns)`,
      });
    }
  });
  if ([...request.reason].length > MAX_REASON_LENGTH) {
    violations.push({ field: "reason", description: `must be at most ${MAX_REASON_LENGTH} characters` });
  }
  return violations;
}

/** The refund of returned units: their unit prices. */
export function returnRefundAmount(order: Order, lines: readonly ReturnLine[]): bigint {
  const prices = new Map(order.lines.map((line) => [line.sku, line.unitPrice]));
  return lines.reduce((sum, line) => sum + (prices.get(line.sku) ?? 0n) * BigInt(line.quantity), 0n);
}

/**
 * A customer's request to return units of a delivered order. Throws INVALID_STATE before delivery
 * (or once everything is refunded) and INVALID_ARGUMENT for lines beyond what may be returned.
 * Records ReturnRequested.
 */
export function requestReturn(
  order: Order,
  request: { id: string; lines: readonly ReturnLine[]; reason: string },
  returns: readonly Return[],
  now: Date,
): { ret: Return; events: DomainEvent[] } {
  if (order.deliverTime === undefined || !["delivered", "partially_refunded"].includes(order.status)) {
    throw invalidState(`order ${order.id} is ${order.status}; only delivered orders can be returned`);
  }
  throwIfInvalid(checkReturnRequest(order, request, returns));
  const ret: Return = {
    id: request.id,
    orderId: order.id,
    status: "requested",
    lines: request.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    reason: request.reason,
    note: "",
    refundAmount: returnRefundAmount(order, request.lines),
    currency: order.currency,
    createTime: now,
    updateTime: now,
  };
  return {
    ret,
    events: [
      domainEvent(ReturnRequestedSchema, order.id, {
        order: orderMessage(order),
        return: returnMessage(ret),
      }),
    ],
  };
}

/**
 * Staff approve or reject a REQUESTED return. Repeating the same decision answers the return
 * unchanged; changing it afterwards is INVALID_STATE.
 */
export function reviewReturn(ret: Return, approve: boolean, note: string, now: Date): Return {
  const to: ReturnStatus = approve ? "approved" : "rejected";
  if (ret.status === to || (approve && ret.status === "refunded")) return ret;
  if (ret.status !== "requested") {
    throw invalidState(`return ${ret.id} is ${ret.status} and cannot be ${to}`);
  }
  return { ...ret, status: to, note, updateTime: now };
}

/** Checks that the goods of `ret` may be received and refunded: it is APPROVED (or done already). */
export function checkReceivable(ret: Return): void {
  if (ret.status !== "approved" && ret.status !== "refunded") {
    throw invalidState(`return ${ret.id} is ${ret.status}; only an approved return can be received`);
  }
}

/** The goods arrived and the refund went through: REFUNDED. */
export function markReturnRefunded(ret: Return, now: Date): Return {
  if (ret.status === "refunded") return ret;
  checkReceivable(ret);
  return { ...ret, status: "refunded", updateTime: now };
}
