import { notFound } from "@shopmesh/kit/errors";
import type { EventMeta } from "@shopmesh/kit/events";
import { allocate, type LineRequest, type WarehouseStock } from "./domain/allocation.ts";
import { evaluateLowStock } from "./domain/low-stock.ts";
import {
  commitReservation,
  createReservation,
  outOfStock,
  type Reservation,
  type ReservationChange,
  repeatReserve,
  stockDeltas,
} from "./domain/reservation.ts";
import { checkLowStock } from "./stock-steps.ts";
import type { InventoryStore, ReservationWrite } from "./store/index.ts";

/**
 * Reserve and CommitReservation, the checkout saga's calls, on the store's checkout statements
 * (store/checkout.ts). Locks are taken in inventory's one order: reservation rows, then stock
 * levels by (sku, warehouse id), then low-stock alerts by sku.
 */

/** Reserve attempts that read without locks before one locks the stock it allocates from. */
export const OPTIMISTIC_RESERVE_ATTEMPTS = 3;

export interface ReserveRequest {
  orderId: string;
  lines: readonly LineRequest[];
  ttlSeconds: number;
  meta: EventMeta;
}

export interface ReserveOutcome {
  reservation: Reservation;
  /** False when the order had its reservation already (a retry). */
  created: boolean;
}

/**
 * Reserves the lines of an order, all or nothing, by the allocation rule; a retry answers the
 * order's reservation (repeatReserve). Throws OUT_OF_STOCK when the active warehouses lack units,
 * and the unique violation of isDuplicateReservation when a concurrent Reserve of the same order
 * wrote it first.
 *
 * Usually two statements and no lock held between them: one read (the order's reservation, the
 * stock, whether a low-stock alert watches a SKU) and one write that commits on its own. The
 * write changes nothing when another order took the units since the read, and the read is done
 * again. When an alert watches one of the SKUs, or after OPTIMISTIC_RESERVE_ATTEMPTS such
 * refusals, the reservation takes its row locks first, in one transaction: it allocates from what
 * is surely there, and evaluates the alerts with the change as every other stock change does.
 */
export async function reserveStock(store: InventoryStore, request: ReserveRequest): Promise<ReserveOutcome> {
  const { orderId, lines, meta } = request;
  const skus = lines.map((line) => line.sku);
  for (let attempt = 1; attempt <= OPTIMISTIC_RESERVE_ATTEMPTS; attempt++) {
    const now = new Date();
    const snapshot = await store.checkout.reserveSnapshot(orderId, skus);
    if (snapshot.reservation) {
      return { reservation: repeatReserve(snapshot.reservation, lines, now), created: false };
    }
    if (snapshot.watched) break;
    const change = newReservation(request, snapshot.stock, now);
    const result = await store.checkout.reserve(reservationWrite(change, meta));
    if (!result.written) continue;
    if (result.alerts.length > 0) {
      // A threshold was set on a SKU between the read and the write. The write held the alert's
      // lock, so that threshold's own evaluation ran before it, without this reservation:
      // evaluate again now that it is committed.
      const watched = result.alerts.map((alert) => alert.sku);
      await store.transaction((tx) => checkLowStock(tx, watched, now, meta));
    }
    return { reservation: change.reservation, created: true };
  }

  return store.checkout.transaction(async (tx) => {
    const now = new Date();
    const stock = await tx.lockStock(skus);
    const change = newReservation(request, stock, now);
    const result = await tx.reserve(reservationWrite(change, meta));
    if (!result.written) throw new Error("reserve: a locked stock level lacked the units it had");
    // Every level of these SKUs in an active warehouse is locked: what they have after this change
    // is what was read minus what it takes.
    const available = availableAfter(stock, lines);
    const evaluated = result.alerts.map((alert) => ({
      before: alert,
      ...evaluateLowStock(alert, available.get(alert.sku) ?? 0),
    }));
    const changed = evaluated.filter((evaluation) => evaluation.alert !== evaluation.before);
    if (changed.length > 0) {
      await tx.saveAlerts(
        changed.map((evaluation) => evaluation.alert),
        changed.flatMap((evaluation) => evaluation.events),
        meta,
        now,
      );
    }
    return { reservation: change.reservation, created: true };
  });
}

/**
 * Commits an order's reservation: ACTIVE → COMMITTED, its units leave on hand and reserved, and
 * ReservationCommitted is recorded; a repeat answers the committed reservation. Throws NOT_FOUND
 * without a reservation, INVALID_STATE for a released, expired or past-expiry one.
 *
 * Two statements: the reservation, read without a lock, and one write that commits on its own
 * and changes nothing unless the reservation is still ACTIVE. When it changed meanwhile (a
 * release, the sweeper, a concurrent commit), the answer is decided again on what it became.
 */
export async function commitStock(
  store: InventoryStore,
  orderId: string,
  meta: EventMeta,
): Promise<Reservation> {
  // A reservation leaves ACTIVE only once: a second round finds it in its final state.
  for (let round = 1; round <= 2; round++) {
    const now = new Date();
    const current = await store.checkout.reservation(orderId);
    if (!current) throw notFound(`no reservation for order ${orderId}`);
    const change = commitReservation(current, now);
    if (change.reservation === current) return current;
    const committed = await store.checkout.commit({
      from: current,
      to: change.reservation,
      deltas: stockDeltas(current.lines),
      events: change.events,
      meta,
    });
    if (committed) return change.reservation;
  }
  throw new Error(`commit: the reservation of order ${orderId} left ACTIVE twice`);
}

/** A new reservation allocated from `stock`; OUT_OF_STOCK when it cannot be filled. */
function newReservation(
  request: ReserveRequest,
  stock: readonly WarehouseStock[],
  now: Date,
): ReservationChange {
  const allocation = allocate(request.lines, stock);
  if (!allocation.ok) throw outOfStock(allocation.shortages);
  return createReservation(request.orderId, allocation.lines, request.ttlSeconds, now);
}

function reservationWrite(change: ReservationChange, meta: EventMeta): ReservationWrite {
  return {
    reservation: change.reservation,
    deltas: stockDeltas(change.reservation.lines),
    events: change.events,
    meta,
  };
}

/** Available units per SKU over `stock` once the lines are taken. */
function availableAfter(
  stock: readonly WarehouseStock[],
  lines: readonly LineRequest[],
): Map<string, number> {
  const available = new Map<string, number>();
  for (const entry of stock) available.set(entry.sku, (available.get(entry.sku) ?? 0) + entry.available);
  for (const line of lines) available.set(line.sku, (available.get(line.sku) ?? 0) - line.quantity);
  return available;
}
