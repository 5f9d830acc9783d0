import type { EntityManager } from "@shopmesh/kit/db";
import type { PostalAddress } from "../domain/address.ts";
import type { ShippingMethod } from "../domain/method.ts";
import type { ParcelItem } from "../domain/parcel.ts";
import type { Shipment, ShipmentStatus, TrackingEvent } from "../domain/shipment.ts";
import { type LockOption, toDate } from "./sql.ts";

export interface ShipmentRepository {
  byId(id: string, options?: LockOption): Promise<Shipment | undefined>;
  byOrderId(orderId: string, options?: LockOption): Promise<Shipment | undefined>;
  byTrackingNumber(trackingNumber: string, options?: LockOption): Promise<Shipment | undefined>;
  /** Stores the status and update time, and appends `added` to the tracking events. */
  update(shipment: Shipment, added: readonly TrackingEvent[]): Promise<void>;
  /**
   * Locks up to `limit` shipments of `carrier` on their way (label created, in transit, out for
   * delivery) that have not moved since `before`, least recently moved first, skipping rows
   * another transaction holds: replicas of the simulated carrier share the work. `exclude` are
   * ids already moved in this round.
   */
  claimMoving(carrier: string, before: Date, limit: number, exclude?: readonly string[]): Promise<Shipment[]>;
}

/**
 * A shipment's columns (from `shipments s`) as RawShipment. Tracking events come along as one
 * JSON array, so every read is one query (also under a lock: FOR UPDATE locks the shipments rows
 * only).
 */
export const COLUMNS = `s.id, s.order_id as "orderId", s.carrier, s.tracking_number as "trackingNumber",
  s.method, s.status, s.address, s.weight_grams as "weightGrams", s.items,
  s.create_time as "createTime", s.update_time as "updateTime",
  coalesce((select json_agg(json_build_object('status', t.status, 'location', t.location,
      'note', t.note, 'eventTime', t.event_time) order by t.seq)
    from tracking_events t where t.shipment_id = s.id), '[]'::json) as "trackingEvents"`;

/** A row of COLUMNS. */
export type RawShipment = {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  method: string;
  status: string;
  address: PostalAddress;
  weightGrams: number;
  items: ParcelItem[];
  createTime: unknown;
  updateTime: unknown;
  trackingEvents: { status: string; location: string; note: string; eventTime: string }[];
};

export function createShipmentRepository(em: EntityManager): ShipmentRepository {
  async function one(where: string, value: string, options: LockOption = {}) {
    const rows = await em.execute<RawShipment[]>(
      `select ${COLUMNS} from shipments s where ${where} = ?${options.lock ? " for update of s" : ""}`,
      [value],
    );
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  async function insertEvents(shipmentId: string, from: number, events: readonly TrackingEvent[]) {
    if (events.length === 0) return;
    await em.execute(
      `insert into tracking_events (shipment_id, seq, status, location, note, event_time)
       values ${events.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
      events.flatMap((event, index) => [
        shipmentId,
        from + index,
        event.status,
        event.location,
        event.note,
        event.eventTime,
      ]),
      "run",
    );
  }

  return {
    byId: (id, options) => one("s.id", id, options),
    byOrderId: (orderId, options) => one("s.order_id", orderId, options),
    byTrackingNumber: (trackingNumber, options) => one("s.tracking_number", trackingNumber, options),

    async update(shipment, added) {
      await em.execute(
        "update shipments set status = ?, update_time = ? where id = ?",
        [shipment.status, shipment.updateTime, shipment.id],
        "run",
      );
      await insertEvents(shipment.id, shipment.trackingEvents.length - added.length, added);
    },

    async claimMoving(carrier, before, limit, exclude = []) {
      const rows = await em.execute<RawShipment[]>(
        `select ${COLUMNS} from shipments s
         where s.carrier = ? and s.status in ('label_created', 'in_transit', 'out_for_delivery')
           and s.update_time <= ? and not (s.id = any(cast(? as uuid[])))
         order by s.update_time limit ?
         for update of s skip locked`,
        [carrier, before, `{${exclude.join(",")}}`, limit],
      );
      return rows.map(toShipment);
    },
  };
}

export function toShipment(row: RawShipment): Shipment {
  return {
    id: row.id,
    orderId: row.orderId,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    method: row.method as ShippingMethod,
    status: row.status as ShipmentStatus,
    address: row.address,
    weightGrams: Number(row.weightGrams),
    items: row.items,
    trackingEvents: row.trackingEvents.map((event) => ({
      status: event.status as ShipmentStatus,
      location: event.location,
      note: event.note,
      eventTime: toDate(event.eventTime),
    })),
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}
