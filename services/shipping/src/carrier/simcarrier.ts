import type { Logger } from "@shopmesh/kit/log";
import { createPeriodicTask } from "@shopmesh/kit/periodic";
import { signWebhook } from "@shopmesh/kit/webhooks";
import { type CarrierStatus, formatCarrierEvent } from "../domain/carrier-event.ts";
import type { Shipment } from "../domain/shipment.ts";
import { carrierMeta } from "../events.ts";
import { receiveCarrierEvent } from "../shipment-steps.ts";
import type { ShippingStore } from "../store/index.ts";
import { type Carriers, SIMCARRIER } from "./carriers.ts";
import { readCarrierWebhook } from "./webhook.ts";

/** The built-in carrier that delivers every parcel, one status at a time, in the background. */
export interface SimulatedCarrier {
  /** Moves parcels every `stepMs` until stopped; does nothing when stepMs is 0. */
  start(): void;
  /** Stops the timer and waits for a tick in progress. */
  stop(): Promise<void>;
  /**
   * Moves every parcel on its way that has not moved for `stepMs` (all of them when 0) one
   * status on: LABEL_CREATED → IN_TRANSIT → OUT_FOR_DELIVERY → DELIVERED. Resolves with how many
   * moved. Tests call it by hand.
   */
  tick(now?: Date): Promise<number>;
}

export interface SimulatedCarrierOptions {
  store: ShippingStore;
  carriers: Carriers;
  logger: Logger;
  stepMs: number;
  /** The shop's country, named in the first scan's location. */
  origin: string;
  /** Shipments moved per transaction; default 50. */
  batchSize?: number;
  /** Called after each batch with how many moved. */
  onMoved?(count: number): void;
}

const NEXT: Partial<Record<Shipment["status"], CarrierStatus>> = {
  label_created: "in_transit",
  in_transit: "out_for_delivery",
  out_for_delivery: "delivered",
};

/**
 * Creates the simulated carrier "simcarrier". It acts as a real carrier would: for each parcel
 * due it writes a status event, signs it with its webhook secret and hands it to the same path a
 * carrier's webhook takes (signature check, replay guard by event id, forward-only status
 * change, events in the same transaction). The event id is derived from the shipment and the
 * status, so a step taken twice is a replay and has no second effect.
 *
 * Safe with several replicas: parcels are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so
 * replicas share the work and never move one parcel together.
 */
export function createSimulatedCarrier(options: SimulatedCarrierOptions): SimulatedCarrier {
  const { store, carriers, logger, stepMs } = options;
  const batchSize = options.batchSize ?? 50;
  const carrier = carriers.get(SIMCARRIER);
  if (!carrier) throw new Error(`the carriers must include ${SIMCARRIER}`);
  const secret = carrier.webhookSecret;

  function scan(shipment: Shipment, status: CarrierStatus): { location: string; note: string } {
    const city = shipment.address.city;
    switch (status) {
      case "in_transit":
        return { location: `${options.origin} sorting centre`, note: "Parcel received by the carrier" };
      case "out_for_delivery":
        return { location: `${city} delivery depot`, note: "Out for delivery" };
      default:
        return { location: city, note: "Delivered to the recipient" };
    }
  }

  async function tickOnce(now: Date): Promise<number> {
    const before = new Date(now.getTime() - stepMs);
    const moved = new Set<string>();
    for (;;) {
      const count = await store.transaction(async (tx) => {
        const due = await tx.shipments.claimMoving(SIMCARRIER, before, batchSize, [...moved]);
        for (const shipment of due) {
          moved.add(shipment.id);
          const status = NEXT[shipment.status];
          if (!status) continue;
          const created = Math.floor(now.getTime() / 1000);
          const id = `evt_sim_${shipment.id}_${status}`;
          const payload = formatCarrierEvent({
            id,
            created,
            trackingNumber: shipment.trackingNumber,
            status,
            ...scan(shipment, status),
          });
          const webhook = readCarrierWebhook(
            carriers,
            {
              carrier: SIMCARRIER,
              payload: new TextEncoder().encode(payload),
              signature: signWebhook(secret, payload, created),
            },
            now,
          );
          await receiveCarrierEvent(tx, webhook.carrier, webhook.event, {
            now,
            meta: carrierMeta(SIMCARRIER, id),
          });
        }
        return due.length;
      });
      if (count > 0) options.onMoved?.(count);
      if (count < batchSize) return moved.size;
    }
  }

  const task = createPeriodicTask({
    intervalMs: stepMs,
    logger,
    run: (now: Date = new Date()) => tickOnce(now),
    done: "simulated carrier moved parcels",
    failed: "simulated carrier step failed",
    level: "debug",
  });
  return { start: task.start, stop: task.stop, tick: task.run };
}
