import { type FieldViolation, invalid } from "@shopmesh/kit/errors";
import type { ShipmentStatus } from "./shipment.ts";

/**
 * The body of a carrier webhook (README "Carrier webhooks"):
 *
 *   {"id": "evt_…", "type": "shipment.status", "created": 1700000000,
 *    "data": {"tracking_number": "SIM…", "status": "in_transit", "location": "Hamburg", "note": ""}}
 *
 * status is one of in_transit, out_for_delivery, delivered, failed. Other event types are
 * acknowledged and ignored, so a carrier may send more than shipping reads.
 */
export interface CarrierEvent {
  /** Unique per carrier: a second delivery of the same id is a replay. */
  id: string;
  type: string;
  /** Unix seconds when the carrier made the event. */
  created: number;
  /** Present for "shipment.status". */
  update?: CarrierStatusUpdate;
}

export interface CarrierStatusUpdate {
  trackingNumber: string;
  status: CarrierStatus;
  location: string;
  note: string;
}

/** The statuses a carrier reports; LABEL_CREATED and CANCELLED are shipping's own. */
export type CarrierStatus = Extract<
  ShipmentStatus,
  "in_transit" | "out_for_delivery" | "delivered" | "failed"
>;

export const CARRIER_STATUSES: readonly CarrierStatus[] = [
  "in_transit",
  "out_for_delivery",
  "delivered",
  "failed",
];

/** The event type carrying a status update. */
export const STATUS_EVENT_TYPE = "shipment.status";

const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 500;

/**
 * Reads a (verified) webhook body; INVALID_ARGUMENT naming `payload` or the bad member
 * ("payload.data.status") when it is not such an event.
 */
export function parseCarrierEvent(payload: Uint8Array): CarrierEvent {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    throw invalid([{ field: "payload", description: "must be a JSON object" }]);
  }
  if (!isObject(body)) throw invalid([{ field: "payload", description: "must be a JSON object" }]);
  const violations: FieldViolation[] = [];
  const id = body.id;
  if (typeof id !== "string" || id === "" || id.length > MAX_ID_LENGTH) {
    violations.push({
      field: "payload.id",
      description: `must be a string of 1 to ${MAX_ID_LENGTH} characters`,
    });
  }
  const type = body.type;
  if (typeof type !== "string" || type === "")
    violations.push({ field: "payload.type", description: "must be a string" });
  const created = body.created;
  if (typeof created !== "number" || !Number.isInteger(created) || created < 0) {
    violations.push({ field: "payload.created", description: "must be unix seconds" });
  }
  if (violations.length > 0 || type !== STATUS_EVENT_TYPE) {
    if (violations.length > 0) throw invalid(violations);
    return { id: id as string, type: type as string, created: created as number };
  }

  const data = body.data;
  if (!isObject(data)) throw invalid([{ field: "payload.data", description: "must be an object" }]);
  const trackingNumber = data.tracking_number;
  if (typeof trackingNumber !== "string" || trackingNumber === "" || trackingNumber.length > MAX_ID_LENGTH) {
    violations.push({ field: "payload.data.tracking_number", description: "must be a tracking number" });
  }
  const status = data.status;
  if (typeof status !== "string" || !(CARRIER_STATUSES as readonly string[]).includes(status)) {
    violations.push({
      field: "payload.data.status",
      description: `must be one of ${CARRIER_STATUSES.join(", ")}`,
    });
  }
  const location = optionalText(data.location, "payload.data.location", violations);
  const note = optionalText(data.note, "payload.data.note", violations);
  if (violations.length > 0) throw invalid(violations);
  return {
    id: id as string,
    type,
    created: created as number,
    update: { trackingNumber: trackingNumber as string, status: status as CarrierStatus, location, note },
  };
}

/** The JSON body of a status event, as a carrier sends it (the simulated carrier and tests). */
export function formatCarrierEvent(event: {
  id: string;
  created: number;
  trackingNumber: string;
  status: CarrierStatus;
  location?: string;
  note?: string;
}): string {
  return JSON.stringify({
    id: event.id,
    type: STATUS_EVENT_TYPE,
    data: {
      tracking_number: event.trackingNumber,
      status: event.status,
      location: event.location ?? "",
      note: event.note ?? "",
    },
    created: event.created,
  });
}

function optionalText(value: unknown, field: string, violations: FieldViolation[]): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string" || value.length > MAX_TEXT_LENGTH) {
    violations.push({ field, description: `must be a string of at most ${MAX_TEXT_LENGTH} characters` });
    return "";
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
