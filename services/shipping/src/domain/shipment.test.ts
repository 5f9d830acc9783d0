import {
  ShipmentCreatedSchema,
  ShipmentDeliveredSchema,
  ShipmentFailedSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import { ShipmentStatus as Status } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  advanceShipment,
  cancelShipment,
  canMove,
  createShipment,
  SHIPMENT_STATUSES,
  type Shipment,
  type ShipmentChange,
  type ShipmentStatus,
} from "./shipment.ts";

const T0 = new Date("2026-01-05T10:00:00Z");
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function labelled(): Shipment {
  return createShipment({
    id: "0190a000-0000-7000-8000-000000000001",
    orderId: "0190a000-0000-7000-8000-0000000000aa",
    carrier: "simcarrier",
    trackingNumber: "SIMABCDEFGHJKLM",
    method: "standard",
    address: {
      recipient: "Ada",
      line1: "Main St 1",
      line2: "",
      city: "Berlin",
      region: "",
      postalCode: "10115",
      countryCode: "DE",
      phone: "",
    },
    items: [{ sku: "TEE", quantity: 2, weightGrams: 200 }],
    weightGrams: 400,
    now: T0,
  }).shipment;
}

function at(status: ShipmentStatus): Shipment {
  return { ...labelled(), status };
}

/** The message of the change's first event. */
function data<T>(change: ShipmentChange): T {
  return change.events[0]!.data as T;
}

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(isDomainError(error, "failed_precondition")).toBe(true);
    return (error as { reason?: string }).reason;
  }
  throw new Error("expected INVALID_STATE");
}

describe("createShipment", () => {
  it("starts LABEL_CREATED with one tracking event and records ShipmentCreated about the order", () => {
    const change = createShipment({ ...labelled(), now: T0 });
    expect(change.shipment.status).toBe("label_created");
    expect(change.shipment.trackingEvents).toEqual([
      { status: "label_created", location: "", note: "Shipping label created", eventTime: T0 },
    ]);
    expect(change.added).toHaveLength(1);
    expect(change.events).toHaveLength(1);
    const [event] = change.events;
    expect(event?.type).toBe(ShipmentCreatedSchema);
    expect(event?.subject).toBe(change.shipment.orderId);
    const message = data<{ shipment?: { status: Status; trackingNumber: string } }>(change).shipment;
    expect(message?.status).toBe(Status.LABEL_CREATED);
    expect(message?.trackingNumber).toBe("SIMABCDEFGHJKLM");
  });
});

describe("the status machine", () => {
  it("moves forward through the carrier's statuses, also skipping ahead", () => {
    expect(canMove("label_created", "in_transit")).toBe(true);
    expect(canMove("in_transit", "out_for_delivery")).toBe(true);
    expect(canMove("out_for_delivery", "delivered")).toBe(true);
    expect(canMove("label_created", "delivered")).toBe(true);
    expect(canMove("in_transit", "delivered")).toBe(true);
  });

  it("never moves backwards", () => {
    expect(canMove("in_transit", "label_created")).toBe(false);
    expect(canMove("out_for_delivery", "in_transit")).toBe(false);
    expect(canMove("delivered", "out_for_delivery")).toBe(false);
  });

  it("fails only while the carrier has the parcel, cancels only before", () => {
    expect(canMove("in_transit", "failed")).toBe(true);
    expect(canMove("out_for_delivery", "failed")).toBe(true);
    expect(canMove("label_created", "failed")).toBe(false);
    expect(canMove("label_created", "cancelled")).toBe(true);
    expect(canMove("in_transit", "cancelled")).toBe(false);
  });

  it("never leaves DELIVERED, FAILED or CANCELLED", () => {
    for (const from of ["delivered", "failed", "cancelled"] as const) {
      for (const to of SHIPMENT_STATUSES) expect(canMove(from, to)).toBe(false);
    }
  });
});

describe("advanceShipment", () => {
  it("appends a tracking event and records ShipmentShipped when the carrier takes the parcel", () => {
    const change = advanceShipment(labelled(), {
      status: "in_transit",
      location: "DE sorting centre",
      note: "picked up",
      now: later(5),
    });
    expect(change.shipment.status).toBe("in_transit");
    expect(change.shipment.updateTime).toEqual(later(5));
    expect(change.shipment.trackingEvents.map((e) => e.status)).toEqual(["label_created", "in_transit"]);
    expect(change.added).toEqual([
      { status: "in_transit", location: "DE sorting centre", note: "picked up", eventTime: later(5) },
    ]);
    expect(change.events.map((e) => e.type)).toEqual([ShipmentShippedSchema]);
    const shipment = data<{ shipment?: { trackingEvents: unknown[] } }>(change).shipment;
    expect(shipment?.trackingEvents).toHaveLength(2);
  });

  it("records nothing for out for delivery", () => {
    expect(advanceShipment(at("in_transit"), { status: "out_for_delivery", now: later(1) }).events).toEqual(
      [],
    );
  });

  it("records ShipmentDelivered on delivery", () => {
    const change = advanceShipment(at("out_for_delivery"), { status: "delivered", now: later(1) });
    expect(change.events.map((e) => e.type)).toEqual([ShipmentDeliveredSchema]);
  });

  it("records ShipmentShipped before ShipmentDelivered when a label goes straight to delivered", () => {
    const change = advanceShipment(labelled(), { status: "delivered", now: later(1) });
    expect(change.events.map((e) => e.type)).toEqual([ShipmentShippedSchema, ShipmentDeliveredSchema]);
  });

  it("records ShipmentFailed with the note as reason, or a default", () => {
    const withNote = advanceShipment(at("in_transit"), {
      status: "failed",
      note: "address unknown",
      now: later(1),
    });
    expect(withNote.events.map((e) => e.type)).toEqual([ShipmentFailedSchema]);
    expect(data<{ reason: string }>(withNote).reason).toBe("address unknown");
    const without = advanceShipment(at("out_for_delivery"), { status: "failed", now: later(1) });
    expect(data<{ reason: string }>(without).reason).toBe("the carrier could not deliver the parcel");
  });

  it("changes nothing for the current status again", () => {
    const shipment = at("in_transit");
    const change = advanceShipment(shipment, { status: "in_transit", location: "elsewhere", now: later(1) });
    expect(change.shipment).toBe(shipment);
    expect(change.events).toEqual([]);
    expect(change.added).toEqual([]);
  });

  it("refuses going back with INVALID_STATE", () => {
    expect(
      refusal(() => advanceShipment(at("out_for_delivery"), { status: "in_transit", now: later(1) })),
    ).toBe("INVALID_STATE");
    expect(refusal(() => advanceShipment(at("delivered"), { status: "failed", now: later(1) }))).toBe(
      "INVALID_STATE",
    );
    expect(refusal(() => advanceShipment(labelled(), { status: "failed", now: later(1) }))).toBe(
      "INVALID_STATE",
    );
  });

  it("cuts over-long carrier text to 200 characters", () => {
    const change = advanceShipment(labelled(), {
      status: "in_transit",
      location: "x".repeat(500),
      now: later(1),
    });
    expect(change.added[0]?.location).toHaveLength(200);
  });
});

describe("cancelShipment", () => {
  it("cancels a labelled shipment and records ShipmentFailed with the reason", () => {
    const change = cancelShipment(labelled(), "order cancelled", later(1));
    expect(change.shipment.status).toBe("cancelled");
    expect(change.events.map((e) => e.type)).toEqual([ShipmentFailedSchema]);
    expect(data<{ reason: string }>(change).reason).toBe("order cancelled");
    expect(data<{ reason: string }>(cancelShipment(labelled(), "", later(1))).reason).toBe("cancelled");
  });

  it("answers a cancelled shipment unchanged", () => {
    const cancelled = cancelShipment(labelled(), "", later(1)).shipment;
    const again = cancelShipment(cancelled, "again", later(2));
    expect(again.shipment).toBe(cancelled);
    expect(again.events).toEqual([]);
  });

  it("refuses once the carrier has the parcel", () => {
    for (const status of ["in_transit", "out_for_delivery", "delivered", "failed"] as const) {
      expect(refusal(() => cancelShipment(at(status), "", later(1)))).toBe("INVALID_STATE");
    }
  });
});
