import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { StockAdjustedSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { DomainError, type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { MAX_QUANTITY } from "./sku.ts";

/** The stock of one SKU in one warehouse. Invariant: 0 <= reserved <= onHand. */
export interface StockLevel {
  sku: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  updateTime: Date;
}

export const ADJUSTMENT_REASONS = ["received", "damaged", "counted", "returned", "correction"] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** A recorded change of on_hand; never changed once written. */
export interface Adjustment {
  /** UUIDv7. */
  id: string;
  sku: string;
  warehouseId: string;
  delta: number;
  reason: AdjustmentReason;
  note: string;
  /** "user:<id>" or "service:<name>". */
  actor: string;
  onHandAfter: number;
  /** The caller's idempotency key, or null. */
  requestId: string | null;
  createTime: Date;
}

/** How on_hand changes: by a delta, or to a counted absolute quantity. */
export type StockChange = { kind: "delta"; delta: number } | { kind: "count"; counted: number };

export interface AdjustmentInput {
  reason: AdjustmentReason | undefined;
  change: StockChange | undefined;
  note: string;
}

export const MAX_NOTE_LENGTH = 500;

/**
 * Violations of an adjustment request, before any stock is read: a reason, the change that fits
 * it (a count for COUNTED, a delta otherwise) with a sign that fits it — RECEIVED and RETURNED
 * add, DAMAGED removes, CORRECTION goes either way — and a short note.
 */
export function checkAdjustment(input: AdjustmentInput): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const { reason, change } = input;
  if (reason === undefined) violations.push({ field: "reason", description: "is required" });
  if (reason === "counted") {
    if (change?.kind !== "count") {
      violations.push({ field: "countedQuantity", description: "is required for COUNTED" });
    } else if (!Number.isSafeInteger(change.counted) || change.counted < 0 || change.counted > MAX_QUANTITY) {
      violations.push({ field: "countedQuantity", description: `must be between 0 and ${MAX_QUANTITY}` });
    }
  } else if (reason !== undefined) {
    if (change?.kind !== "delta") {
      violations.push({ field: "delta", description: `is required for ${reason.toUpperCase()}` });
    } else {
      const { delta } = change;
      if (!Number.isSafeInteger(delta) || Math.abs(delta) > MAX_QUANTITY) {
        violations.push({
          field: "delta",
          description: `must be between -${MAX_QUANTITY} and ${MAX_QUANTITY}`,
        });
      } else if (delta === 0) {
        violations.push({ field: "delta", description: "must not be 0" });
      } else if ((reason === "received" || reason === "returned") && delta < 0) {
        violations.push({ field: "delta", description: `must be positive for ${reason.toUpperCase()}` });
      } else if (reason === "damaged" && delta > 0) {
        violations.push({ field: "delta", description: "must be negative for DAMAGED" });
      }
    }
  }
  if ([...input.note].length > MAX_NOTE_LENGTH) {
    violations.push({ field: "note", description: `must be at most ${MAX_NOTE_LENGTH} characters` });
  }
  return violations;
}

export interface AdjustContext {
  id: string;
  actor: string;
  now: Date;
  requestId: string | null;
  /** The SKU's low-stock threshold, carried on the event's stock level. */
  lowStockThreshold: number;
}

export interface StockAdjustment {
  level: StockLevel;
  adjustment: Adjustment;
  events: DomainEvent[];
}

/**
 * Applies a checked adjustment (see checkAdjustment) to a stock level. A count sets on_hand to
 * the counted quantity and records the difference as delta, 0 included: a count that confirms
 * the stock is evidence worth keeping. Refuses (FAILED_PRECONDITION, INVALID_STATE) to take
 * on_hand below the reserved units. Records StockAdjusted.
 */
export function adjustStock(
  level: StockLevel,
  input: AdjustmentInput,
  context: AdjustContext,
): StockAdjustment {
  throwIfInvalid(checkAdjustment(input));
  const change = input.change as StockChange;
  const onHand = change.kind === "count" ? change.counted : level.onHand + change.delta;
  if (onHand < level.reserved || onHand < 0) {
    throw new DomainError(
      "failed_precondition",
      `on hand would be ${onHand} but ${level.reserved} units of ${level.sku} are reserved in this warehouse`,
      { reason: "INVALID_STATE" },
    );
  }
  if (onHand > MAX_QUANTITY) {
    throw new DomainError("failed_precondition", `on hand would exceed ${MAX_QUANTITY}`, {
      reason: "INVALID_STATE",
    });
  }
  const next: StockLevel = { ...level, onHand, updateTime: context.now };
  const adjustment: Adjustment = {
    id: context.id,
    sku: level.sku,
    warehouseId: level.warehouseId,
    delta: onHand - level.onHand,
    reason: input.reason as AdjustmentReason,
    note: input.note.trim(),
    actor: context.actor,
    onHandAfter: onHand,
    requestId: context.requestId,
    createTime: context.now,
  };
  return {
    level: next,
    adjustment,
    events: [
      domainEvent(StockAdjustedSchema, level.sku, {
        adjustment: adjustmentMessage(adjustment),
        stockLevel: stockLevelMessage(next, context.lowStockThreshold),
      }),
    ],
  };
}

/** on_hand - reserved. */
export function available(level: Pick<StockLevel, "onHand" | "reserved">): number {
  return level.onHand - level.reserved;
}

const REASON_NUMBERS: Record<AdjustmentReason, number> = {
  received: 1,
  damaged: 2,
  counted: 3,
  returned: 4,
  correction: 5,
};

/** shopmesh.inventory.v1.AdjustmentReason value of a reason. */
export function reasonToProto(reason: AdjustmentReason): number {
  return REASON_NUMBERS[reason];
}

/** The reason of an AdjustmentReason value; undefined for UNSPECIFIED and unknown values. */
export function reasonFromProto(value: number): AdjustmentReason | undefined {
  return ADJUSTMENT_REASONS.find((reason) => REASON_NUMBERS[reason] === value);
}

/** The proto StockLevel of events and responses. */
export function stockLevelMessage(level: StockLevel, lowStockThreshold: number) {
  return {
    sku: level.sku,
    warehouseId: level.warehouseId,
    onHand: BigInt(level.onHand),
    reserved: BigInt(level.reserved),
    available: BigInt(available(level)),
    lowStockThreshold: BigInt(lowStockThreshold),
    updateTime: timestampFromDate(level.updateTime),
  };
}

/** The proto Adjustment of events and responses. */
export function adjustmentMessage(adjustment: Adjustment) {
  return {
    id: adjustment.id,
    sku: adjustment.sku,
    warehouseId: adjustment.warehouseId,
    delta: BigInt(adjustment.delta),
    reason: reasonToProto(adjustment.reason),
    note: adjustment.note,
    actor: adjustment.actor,
    onHandAfter: BigInt(adjustment.onHandAfter),
    createTime: timestampFromDate(adjustment.createTime),
  };
}
