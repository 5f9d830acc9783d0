import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ReservationCommittedSchema,
  ReservationReleasedSchema,
  StockReservedSchema,
} from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { DomainError, type FieldViolation, invalidState, throwIfInvalid } from "@shopmesh/kit/errors";
import type { AllocatedLine, LineRequest, Shortage } from "./allocation.ts";
import { checkSku, MAX_QUANTITY } from "./sku.ts";

export type ReservationState = "active" | "committed" | "released" | "expired";

/** The stock held for one order: the reservation aggregate, identified by the order id. */
export interface Reservation {
  orderId: string;
  state: ReservationState;
  /** In request order, each with its allocations. */
  lines: AllocatedLine[];
  expireTime: Date;
  createTime: Date;
  updateTime: Date;
  /** Why it was released ("expired" for EXPIRED); "" otherwise. */
  releaseReason: string;
}

export interface ReservationChange {
  reservation: Reservation;
  events: DomainEvent[];
}

/** A change of `reserved` (and, on commit, `on_hand`) of one stock level. */
export interface StockDelta {
  sku: string;
  warehouseId: string;
  quantity: number;
}

export const DEFAULT_TTL_SECONDS = 900;
export const MAX_TTL_SECONDS = 86_400;
export const MAX_LINES = 200;
export const MAX_RELEASE_REASON_LENGTH = 200;
/** The release reason of reservations that ran out of time. */
export const EXPIRED_REASON = "expired";
export const DEFAULT_RELEASE_REASON = "released";

export interface ReserveInput {
  lines: readonly LineRequest[];
  ttlSeconds: number;
}

/**
 * Violations of the lines and TTL of a Reserve request: 1-200 lines, each a valid SKU once with
 * a quantity of at least 1; a TTL from 0 (the default, 900 s) to 86,400 s.
 */
export function checkReserveInput(input: ReserveInput): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (input.lines.length === 0) violations.push({ field: "lines", description: "must not be empty" });
  if (input.lines.length > MAX_LINES) {
    violations.push({ field: "lines", description: `must have at most ${MAX_LINES} lines` });
  }
  const seen = new Map<string, number>();
  input.lines.forEach((line, index) => {
    const skuViolations = checkSku(line.sku, `lines[${index}].sku`);
    violations.push(...skuViolations);
    const first = seen.get(line.sku);
    if (skuViolations.length === 0 && first !== undefined) {
      violations.push({
        field: `lines[${index}].sku`,
        description: `repeats lines[${first}]; one line per SKU`,
      });
    } else if (first === undefined) seen.set(line.sku, index);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      violations.push({
        field: `lines[${index}].quantity`,
        description: `must be between 1 and ${MAX_QUANTITY}`,
      });
    }
  });
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 0 || input.ttlSeconds > MAX_TTL_SECONDS) {
    violations.push({ field: "ttlSeconds", description: `must be between 0 and ${MAX_TTL_SECONDS}` });
  }
  return violations;
}

/** The error of a Reserve that cannot be filled: OUT_OF_STOCK, with the short SKUs. */
export function outOfStock(shortages: readonly Shortage[]): DomainError {
  const detail = shortages
    .map((s) => `${s.sku} (requested ${s.requested}, available ${s.available})`)
    .join(", ");
  return new DomainError("failed_precondition", `not enough stock: ${detail}`, {
    reason: "OUT_OF_STOCK",
    metadata: { skus: shortages.map((s) => s.sku).join(",") },
  });
}

/** A new ACTIVE reservation of allocated lines, held until now + TTL. Records StockReserved. */
export function createReservation(
  orderId: string,
  lines: AllocatedLine[],
  ttlSeconds: number,
  now: Date,
): ReservationChange {
  throwIfInvalid(checkReserveInput({ lines, ttlSeconds }));
  const ttl = ttlSeconds === 0 ? DEFAULT_TTL_SECONDS : ttlSeconds;
  const reservation: Reservation = {
    orderId,
    state: "active",
    lines,
    expireTime: new Date(now.getTime() + ttl * 1000),
    createTime: now,
    updateTime: now,
    releaseReason: "",
  };
  return {
    reservation,
    events: [
      domainEvent(StockReservedSchema, orderId, {
        orderId,
        lines: lines.map(lineMessage),
        expireTime: timestampFromDate(reservation.expireTime),
      }),
    ],
  };
}

/** True when `requested` asks for exactly the SKUs and quantities the reservation holds. */
export function sameLines(reservation: Reservation, requested: readonly LineRequest[]): boolean {
  if (reservation.lines.length !== requested.length) return false;
  const held = new Map(reservation.lines.map((line) => [line.sku, line.quantity]));
  return requested.every((line) => held.get(line.sku) === line.quantity);
}

/**
 * What a repeated Reserve for an existing reservation answers: the reservation itself when the
 * lines are the same and it still holds or took the stock; ALREADY_EXISTS for other lines;
 * INVALID_STATE when it was released, expired, or is past its expiry time.
 */
export function repeatReserve(
  reservation: Reservation,
  requested: readonly LineRequest[],
  now: Date,
): Reservation {
  if (!sameLines(reservation, requested)) {
    throw new DomainError(
      "already_exists",
      `order ${reservation.orderId} has a reservation with other lines`,
    );
  }
  if (reservation.state === "released" || reservation.state === "expired") {
    throw invalidState(`the reservation of order ${reservation.orderId} was ${reservation.state}`);
  }
  if (reservation.state === "active" && isPastExpiry(reservation, now)) {
    throw invalidState(`the reservation of order ${reservation.orderId} expired`);
  }
  return reservation;
}

/** True when an ACTIVE reservation's time is up (the sweeper may not have released it yet). */
export function isPastExpiry(reservation: Reservation, now: Date): boolean {
  return reservation.expireTime.getTime() <= now.getTime();
}

/**
 * ACTIVE → COMMITTED: the order takes the stock. Committing again changes nothing (same object,
 * no events). Released, expired or past-expiry reservations cannot be committed.
 */
export function commitReservation(reservation: Reservation, now: Date): ReservationChange {
  if (reservation.state === "committed") return { reservation, events: [] };
  if (reservation.state !== "active") {
    throw invalidState(`the reservation of order ${reservation.orderId} was ${reservation.state}`);
  }
  if (isPastExpiry(reservation, now)) {
    throw invalidState(
      `the reservation of order ${reservation.orderId} expired at ${reservation.expireTime.toISOString()}`,
    );
  }
  const next: Reservation = { ...reservation, state: "committed", updateTime: now };
  return {
    reservation: next,
    events: [
      domainEvent(ReservationCommittedSchema, reservation.orderId, {
        orderId: reservation.orderId,
        lines: reservation.lines.map(lineMessage),
      }),
    ],
  };
}

/**
 * ACTIVE → RELEASED with the caller's reason (default "released"), or → EXPIRED with reason
 * "expired" when `options.expire` is set (the sweeper): the stock is available again. Releasing
 * a released or expired reservation changes nothing; a committed one cannot be released (its
 * stock left with the order). Records ReservationReleased.
 */
export function releaseReservation(
  reservation: Reservation,
  reason: string,
  now: Date,
  options: { expire?: boolean } = {},
): ReservationChange {
  if (reservation.state === "released" || reservation.state === "expired") return { reservation, events: [] };
  if (reservation.state === "committed") {
    throw invalidState(
      `the reservation of order ${reservation.orderId} is committed; return stock with a RETURNED adjustment`,
    );
  }
  const text = options.expire ? EXPIRED_REASON : reason.trim() || DEFAULT_RELEASE_REASON;
  const next: Reservation = {
    ...reservation,
    state: options.expire ? "expired" : "released",
    releaseReason: text,
    updateTime: now,
  };
  return {
    reservation: next,
    events: [
      domainEvent(ReservationReleasedSchema, reservation.orderId, {
        orderId: reservation.orderId,
        lines: reservation.lines.map(lineMessage),
        reason: text,
      }),
    ],
  };
}

/** Violations of a release reason: at most 200 characters. */
export function checkReleaseReason(reason: string, field: string): FieldViolation[] {
  return [...reason.trim()].length > MAX_RELEASE_REASON_LENGTH
    ? [{ field, description: `must be at most ${MAX_RELEASE_REASON_LENGTH} characters` }]
    : [];
}

/**
 * The stock levels a reservation holds units in, with the units, ordered by (sku, warehouse id):
 * the order every transaction locks stock rows in, so concurrent ones never deadlock.
 */
export function stockDeltas(lines: readonly AllocatedLine[]): StockDelta[] {
  const deltas = lines.flatMap((line) =>
    line.allocations.map((allocation) => ({
      sku: line.sku,
      warehouseId: allocation.warehouseId,
      quantity: allocation.quantity,
    })),
  );
  return deltas.sort(compareStockKeys);
}

/** Sums deltas of the same stock level (several reservations released together), sorted as stockDeltas. */
export function mergeDeltas(deltas: readonly StockDelta[]): StockDelta[] {
  const merged = new Map<string, StockDelta>();
  for (const delta of deltas) {
    const key = `${delta.sku}\u0000${delta.warehouseId}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, quantity: seen.quantity + delta.quantity } : { ...delta });
  }
  return [...merged.values()].sort(compareStockKeys);
}

/** Orders stock levels by (sku, warehouse id), byte-wise like PostgreSQL's "C" collation. */
export function compareStockKeys(
  a: { sku: string; warehouseId: string },
  b: { sku: string; warehouseId: string },
): number {
  if (a.sku !== b.sku) return a.sku < b.sku ? -1 : 1;
  if (a.warehouseId !== b.warehouseId) return a.warehouseId < b.warehouseId ? -1 : 1;
  return 0;
}

const STATE_NUMBERS: Record<ReservationState, number> = { active: 1, committed: 2, released: 3, expired: 4 };

/** shopmesh.inventory.v1.ReservationState value of a state. */
export function stateToProto(state: ReservationState): number {
  return STATE_NUMBERS[state];
}

/** The proto ReservationLine of events and responses. */
export function lineMessage(line: AllocatedLine) {
  return {
    sku: line.sku,
    quantity: BigInt(line.quantity),
    allocations: line.allocations.map((a) => ({ warehouseId: a.warehouseId, quantity: BigInt(a.quantity) })),
  };
}

/** The proto Reservation of responses. */
export function reservationMessage(reservation: Reservation) {
  return {
    orderId: reservation.orderId,
    state: stateToProto(reservation.state),
    lines: reservation.lines.map(lineMessage),
    expireTime: timestampFromDate(reservation.expireTime),
    createTime: timestampFromDate(reservation.createTime),
    updateTime: timestampFromDate(reservation.updateTime),
    releaseReason: reservation.releaseReason,
  };
}
