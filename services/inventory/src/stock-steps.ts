import type { EventMeta } from "@shopmesh/kit/events";
import { evaluateLowStock } from "./domain/low-stock.ts";
import { mergeDeltas, type Reservation, releaseReservation, stockDeltas } from "./domain/reservation.ts";
import type { Transaction } from "./store/index.ts";

/**
 * Steps that change stock inside a transaction, shared by the RPC handlers and the reservation
 * sweeper. Locks are taken in inventory's one order: reservation rows, then stock levels by
 * (sku, warehouse id), then low-stock alerts by sku.
 */

/**
 * Re-evaluates the low-stock alerts of `skus` after a change made in `tx`: records LowStock for
 * each SKU that fell below its threshold and re-arms the ones back at or above it. The alert row
 * lock serialises this per SKU, so two concurrent changes never both fire (or both miss) a
 * crossing: the second sees the first's committed stock and flag.
 */
export async function checkLowStock(
  tx: Transaction,
  skus: readonly string[],
  now: Date,
  meta: EventMeta,
): Promise<void> {
  const alerts = await tx.stock.lockAlerts([...new Set(skus)]);
  const watched = alerts.filter((alert) => alert.threshold > 0 || alert.low);
  if (watched.length === 0) return;
  const available = await tx.stock.availability(watched.map((alert) => alert.sku));
  for (const alert of watched) {
    const change = evaluateLowStock(alert, available.get(alert.sku) ?? 0);
    if (change.alert === alert) continue;
    await tx.stock.saveAlert(change.alert, now);
    tx.record(change.events, meta);
  }
}

/**
 * Releases reservations: each ACTIVE one becomes RELEASED with `reason` (or EXPIRED when
 * `expire`), its units go back to available, ReservationReleased is recorded, and the low-stock
 * alerts of its SKUs are re-evaluated. Reservations released already are answered unchanged;
 * a committed one throws INVALID_STATE. The reservation rows must be locked by the caller.
 */
export async function releaseReservations(
  tx: Transaction,
  reservations: readonly Reservation[],
  options: { reason: string; expire?: boolean; now: Date; meta: EventMeta },
): Promise<Reservation[]> {
  const { now, meta } = options;
  const changes = reservations.map((reservation) =>
    releaseReservation(reservation, options.reason, now, { expire: options.expire ?? false }),
  );
  const released = changes.filter((change, index) => change.reservation !== reservations[index]);
  if (released.length === 0) return changes.map((change) => change.reservation);

  const deltas = mergeDeltas(released.flatMap((change) => stockDeltas(change.reservation.lines)));
  await tx.stock.unreserve(deltas, now);
  for (const change of released) {
    await tx.reservations.update(change.reservation);
    tx.record(change.events, meta);
  }
  await checkLowStock(
    tx,
    deltas.map((delta) => delta.sku),
    now,
    meta,
  );
  return changes.map((change) => change.reservation);
}
