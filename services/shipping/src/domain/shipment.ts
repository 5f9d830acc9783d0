import {
  ShipmentCreatedSchema,
  ShipmentDeliveredSchema,
  ShipmentFailedSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { invalidState } from "@shopmesh/kit/errors";
import type { PostalAddress } from "./address.ts";
import type { ShippingMethod } from "./method.ts";
import type { ParcelItem } from "./parcel.ts";
import { shipmentMessage } from "./shipment-message.ts";

/** shopmesh.shipping.v1.ShipmentStatus without its prefix, lower case. */
export type ShipmentStatus =
  | "label_created"
  | "in_transit"
  | "out_for_delivery"
  | "delivered"
  | "failed"
  | "cancelled";

export const SHIPMENT_STATUSES: readonly ShipmentStatus[] = [
  "label_created",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "failed",
  "cancelled",
];

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: ReadonlySet<ShipmentStatus> = new Set(["delivered", "failed", "cancelled"]);
/** Statuses in which the carrier has the parcel. */
export const CARRIER_STATUSES: ReadonlySet<ShipmentStatus> = new Set(["in_transit", "out_for_delivery"]);

/** The way forward; a shipment may skip ahead (a carrier that never reports out-for-delivery). */
const PROGRESS: readonly ShipmentStatus[] = ["label_created", "in_transit", "out_for_delivery", "delivered"];

/** One status the shipment went through. */
export interface TrackingEvent {
  status: ShipmentStatus;
  /** Where the carrier saw the parcel, or "". */
  location: string;
  note: string;
  eventTime: Date;
}

/** The shipment aggregate: one parcel for one order, as plain data. */
export interface Shipment {
  /** UUIDv7. */
  id: string;
  /** Unique: one shipment per order. */
  orderId: string;
  carrier: string;
  /** Unique, carrier-prefixed. */
  trackingNumber: string;
  method: ShippingMethod;
  status: ShipmentStatus;
  address: PostalAddress;
  weightGrams: number;
  /** The packing list. */
  items: ParcelItem[];
  /** Oldest first; the last one is the current status. */
  trackingEvents: TrackingEvent[];
  createTime: Date;
  updateTime: Date;
}

export interface ShipmentChange {
  shipment: Shipment;
  /** The tracking events this change appended (none when nothing changed). */
  added: TrackingEvent[];
  events: DomainEvent[];
}

export interface NewShipment {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  method: ShippingMethod;
  address: PostalAddress;
  items: ParcelItem[];
  weightGrams: number;
  now: Date;
}

/** The note of the first tracking event. */
export const LABEL_CREATED_NOTE = "Shipping label created";
/** ShipmentFailed.reason when none is given. */
export const DEFAULT_CANCEL_REASON = "cancelled";
export const DEFAULT_FAILURE_REASON = "the carrier could not deliver the parcel";
/** The longest location, note or reason kept; longer ones are cut (they come from carriers). */
export const MAX_TEXT_LENGTH = 200;

/** A new LABEL_CREATED shipment (already checked by the caller). Records ShipmentCreated. */
export function createShipment(input: NewShipment): ShipmentChange {
  const first: TrackingEvent = {
    status: "label_created",
    location: "",
    note: LABEL_CREATED_NOTE,
    eventTime: input.now,
  };
  const shipment: Shipment = {
    id: input.id,
    orderId: input.orderId,
    carrier: input.carrier,
    trackingNumber: input.trackingNumber,
    method: input.method,
    status: "label_created",
    address: input.address,
    weightGrams: input.weightGrams,
    items: input.items,
    trackingEvents: [first],
    createTime: input.now,
    updateTime: input.now,
  };
  return {
    shipment,
    added: [first],
    events: [domainEvent(ShipmentCreatedSchema, shipment.orderId, { shipment: shipmentMessage(shipment) })],
  };
}

/** True when a shipment in `from` may move to `to` (a repeat is no move: see advanceShipment). */
export function canMove(from: ShipmentStatus, to: ShipmentStatus): boolean {
  if (FINAL_STATUSES.has(from) || from === to) return false;
  if (to === "cancelled") return from === "label_created";
  if (to === "failed") return CARRIER_STATUSES.has(from);
  return PROGRESS.indexOf(to) > PROGRESS.indexOf(from);
}

export interface StatusUpdate {
  status: ShipmentStatus;
  location?: string;
  /** The tracking event's note; for FAILED and CANCELLED also ShipmentFailed.reason. */
  note?: string;
  now: Date;
}

/**
 * Moves a shipment to a new status, appending a tracking event. Statuses only move forward
 * (LABEL_CREATED → IN_TRANSIT → OUT_FOR_DELIVERY → DELIVERED, skipping ahead allowed); FAILED
 * only while the carrier has the parcel; CANCELLED only before it does. The current status
 * again changes nothing (no event); anything else is FAILED_PRECONDITION INVALID_STATE.
 *
 * Events: ShipmentShipped when the carrier first has the parcel (the move out of LABEL_CREATED,
 * also straight to DELIVERED, so the order is always shipped before it is delivered),
 * ShipmentDelivered on DELIVERED, ShipmentFailed on FAILED and CANCELLED.
 */
export function advanceShipment(shipment: Shipment, update: StatusUpdate): ShipmentChange {
  const to = update.status;
  if (to === shipment.status) return { shipment, added: [], events: [] };
  if (!canMove(shipment.status, to)) {
    throw invalidState(refusal(shipment, to));
  }
  const note = clip(update.note ?? "");
  const event: TrackingEvent = {
    status: to,
    location: clip(update.location ?? ""),
    note,
    eventTime: update.now,
  };
  const next: Shipment = {
    ...shipment,
    status: to,
    trackingEvents: [...shipment.trackingEvents, event],
    updateTime: update.now,
  };
  const message = shipmentMessage(next);
  const events: DomainEvent[] = [];
  if (shipment.status === "label_created" && PROGRESS.includes(to)) {
    events.push(domainEvent(ShipmentShippedSchema, next.orderId, { shipment: message }));
  }
  if (to === "delivered")
    events.push(domainEvent(ShipmentDeliveredSchema, next.orderId, { shipment: message }));
  if (to === "failed" || to === "cancelled") {
    const reason = note || (to === "cancelled" ? DEFAULT_CANCEL_REASON : DEFAULT_FAILURE_REASON);
    events.push(domainEvent(ShipmentFailedSchema, next.orderId, { shipment: message, reason }));
  }
  return { shipment: next, added: [event], events };
}

/**
 * Cancels a shipment before the carrier has it; a cancelled one is answered unchanged. Once the
 * carrier has the parcel (or it is delivered or failed): FAILED_PRECONDITION INVALID_STATE.
 */
export function cancelShipment(shipment: Shipment, reason: string, now: Date): ShipmentChange {
  return advanceShipment(shipment, { status: "cancelled", note: reason || DEFAULT_CANCEL_REASON, now });
}

function refusal(shipment: Shipment, to: ShipmentStatus): string {
  const from = shipment.status;
  if (to === "cancelled") {
    return `shipment ${shipment.id} is ${from}: only a shipment whose label was created and the carrier does not have yet can be cancelled`;
  }
  if (FINAL_STATUSES.has(from)) return `shipment ${shipment.id} is ${from} already and cannot become ${to}`;
  if (to === "failed") return `shipment ${shipment.id} is ${from}: only a parcel the carrier has can fail`;
  return `shipment ${shipment.id} is ${from}: statuses only move forward, not to ${to}`;
}

function clip(text: string): string {
  const trimmed = text.trim();
  const chars = [...trimmed];
  return chars.length > MAX_TEXT_LENGTH ? chars.slice(0, MAX_TEXT_LENGTH).join("") : trimmed;
}
