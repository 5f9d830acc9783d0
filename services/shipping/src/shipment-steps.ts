import { notFound } from "@shopmesh/kit/errors";
import type { EventMeta } from "@shopmesh/kit/events";
import type { Carrier } from "./carrier/carriers.ts";
import type { CarrierEvent } from "./domain/carrier-event.ts";
import { advanceShipment, canMove, type Shipment, type StatusUpdate } from "./domain/shipment.ts";
import type { Transaction } from "./store/index.ts";

/**
 * Steps that change shipments inside a transaction, shared by the RPC handlers, the carrier
 * webhook and the simulated carrier, so a status change is recorded the same way whoever makes
 * it: the shipment row, a tracking event and the matching event in the outbox, together.
 */

/**
 * Moves a locked shipment to `update.status` (advanceShipment: forward only, the current status
 * again is no change) and stores the change with its events. Returns the shipment as it is now.
 */
export async function changeStatus(
  tx: Transaction,
  shipment: Shipment,
  update: StatusUpdate,
  meta: EventMeta,
): Promise<Shipment> {
  const change = advanceShipment(shipment, update);
  if (change.shipment === shipment) return shipment;
  await tx.shipments.update(change.shipment, change.added);
  tx.record(change.events, meta);
  return change.shipment;
}

/** What became of a carrier event. */
export type CarrierEventOutcome =
  /** The shipment moved to the reported status. */
  | "applied"
  /** The event id was handled before: nothing happened. */
  | "duplicate"
  /** Not a status event, or the status the shipment has already: recorded, no change. */
  | "ignored"
  /** A status the shipment cannot move to any more (events out of order): recorded, no change. */
  | "stale";

/**
 * Applies a carrier's (verified) event: records its id (a replay ends here), then moves the
 * shipment of its tracking number. An event arriving after a later one (in transit after
 * delivered) is acknowledged without effect rather than refused: a carrier would only resend it.
 * A tracking number of no shipment of this carrier is NOT_FOUND (and the event is not recorded,
 * so it is not swallowed).
 */
export async function receiveCarrierEvent(
  tx: Transaction,
  carrier: Carrier,
  event: CarrierEvent,
  options: { now: Date; meta: EventMeta },
): Promise<{ outcome: CarrierEventOutcome; shipment?: Shipment }> {
  const first = await tx.webhookEvents.record({
    carrier: carrier.name,
    eventId: event.id,
    eventType: event.type,
    trackingNumber: event.update?.trackingNumber ?? "",
    now: options.now,
  });
  if (!first) return { outcome: "duplicate" };
  const update = event.update;
  if (!update) return { outcome: "ignored" };

  const shipment = await tx.shipments.byTrackingNumber(update.trackingNumber, { lock: true });
  if (!shipment || shipment.carrier !== carrier.name) {
    throw notFound(`no ${carrier.name} shipment has tracking number ${update.trackingNumber}`);
  }
  if (shipment.status === update.status) return { outcome: "ignored", shipment };
  if (!canMove(shipment.status, update.status)) return { outcome: "stale", shipment };
  const moved = await changeStatus(
    tx,
    shipment,
    { status: update.status, location: update.location, note: update.note, now: options.now },
    options.meta,
  );
  return { outcome: "applied", shipment: moved };
}
