import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";
import type { PostalAddress } from "../domain/address.ts";
import type { ParcelItem } from "../domain/parcel.ts";

/**
 * The shipping tables as MikroORM entities. Rows are plain column values: the repositories of
 * this folder read and write them with SQL (row locks, ON CONFLICT) and map them to the domain's
 * records explicitly; the SQL that creates the tables is in migrations.ts.
 */

export const ShipmentRow = defineEntity({
  name: "ShipmentRow",
  tableName: "shipments",
  properties: {
    id: p.uuid().primary(),
    /** Unique (constraint shipments_order_id_key). */
    orderId: p.uuid(),
    carrier: p.text(),
    /** Unique (constraint shipments_tracking_number_key). */
    trackingNumber: p.text(),
    method: p.text(),
    status: p.text(),
    address: p.json<PostalAddress>(),
    weightGrams: p.integer(),
    items: p.json<ParcelItem[]>(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type ShipmentRow = InferEntity<typeof ShipmentRow>;

export const TrackingEventRow = defineEntity({
  name: "TrackingEventRow",
  tableName: "tracking_events",
  properties: {
    shipmentId: p.uuid().primary(),
    seq: p.integer().primary(),
    status: p.text(),
    location: p.text(),
    note: p.text(),
    eventTime: p.datetime(),
  },
});
export type TrackingEventRow = InferEntity<typeof TrackingEventRow>;

export const CarrierWebhookEventRow = defineEntity({
  name: "CarrierWebhookEventRow",
  tableName: "carrier_webhook_events",
  properties: {
    carrier: p.text().primary(),
    eventId: p.text().primary(),
    eventType: p.text(),
    trackingNumber: p.text(),
    receiveTime: p.datetime(),
  },
});
export type CarrierWebhookEventRow = InferEntity<typeof CarrierWebhookEventRow>;

/** Every shipping entity, for createDb (with the kit's outbox entities). */
export const SHIPPING_ENTITIES = [ShipmentRow, TrackingEventRow, CarrierWebhookEventRow];
