import {
  ShipmentCreatedSchema,
  ShipmentDeliveredSchema,
  ShipmentFailedSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import { ShipmentStatus, ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createShipment } from "../src/domain/shipment.ts";
import { newTrackingNumber } from "../src/domain/tracking-number.ts";
import { Code, failure, orderId, shipmentRequest, startTestShipping, type TestShipping } from "./support.ts";

let t: TestShipping;

beforeAll(async () => {
  t = await startTestShipping();
});

afterAll(async () => {
  await t?.stop();
});

async function created() {
  const request = shipmentRequest();
  const { shipment } = await t.order.createShipment(request);
  return shipment!;
}

describe("CreateShipment", () => {
  it("creates a LABEL_CREATED shipment with a tracking number and records ShipmentCreated about the order", async () => {
    const request = shipmentRequest({ method: ShippingMethod.EXPRESS });
    const { shipment } = await t.order.createShipment(request);
    expect(shipment).toMatchObject({
      orderId: request.orderId,
      carrier: "simcarrier",
      method: ShippingMethod.EXPRESS,
      status: ShipmentStatus.LABEL_CREATED,
      weightGrams: 500,
      address: { recipient: "Ada Lovelace", city: "Berlin", countryCode: "DE" },
    });
    expect(shipment?.trackingNumber).toMatch(/^SIM[A-Z2-7]{12}$/);
    expect(shipment?.trackingEvents.map((e) => e.status)).toEqual([ShipmentStatus.LABEL_CREATED]);
    expect(shipment?.createTime).toBeDefined();

    const events = await t.events(ShipmentCreatedSchema, request.orderId);
    expect(events).toHaveLength(1);
    expect(events[0]?.shipment?.id).toBe(shipment?.id);
    expect(events[0]?.shipment?.trackingNumber).toBe(shipment?.trackingNumber);
  });

  it("is idempotent by order id: a second call answers the first shipment", async () => {
    const request = shipmentRequest();
    const first = await t.order.createShipment(request);
    const second = await t.order.createShipment({ ...request, method: ShippingMethod.EXPRESS });
    expect(second.shipment?.id).toBe(first.shipment?.id);
    expect(second.shipment?.trackingNumber).toBe(first.shipment?.trackingNumber);
    expect(second.shipment?.method).toBe(ShippingMethod.STANDARD);
    expect(await t.events(ShipmentCreatedSchema, request.orderId)).toHaveLength(1);
  });

  it("makes one shipment of 20 concurrent calls for the same order", async () => {
    const request = shipmentRequest();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.order.createShipment(request)));
    const ids = new Set(answers.map((answer) => answer.shipment?.id));
    const numbers = new Set(answers.map((answer) => answer.shipment?.trackingNumber));
    expect(ids.size).toBe(1);
    expect(numbers.size).toBe(1);
    expect(await t.events(ShipmentCreatedSchema, request.orderId)).toHaveLength(1);
    const { shipment } = await t.order.getShipment({ orderId: request.orderId });
    expect(shipment?.trackingEvents).toHaveLength(1);
  });

  it("writes a shipment, its tracking event and its event all or nothing", async () => {
    const taken = await created();
    const request = shipmentRequest();
    // The tracking number of another shipment: its unique constraint fails the one statement.
    const change = createShipment({
      id: crypto.randomUUID(),
      orderId: request.orderId,
      carrier: "simcarrier",
      trackingNumber: taken.trackingNumber,
      method: "standard",
      address: {
        recipient: "Ada Lovelace",
        line1: "Invalidenstraße 1",
        line2: "",
        city: "Berlin",
        region: "",
        postalCode: "10115",
        countryCode: "DE",
        phone: "",
      },
      items: request.items,
      weightGrams: 500,
      now: new Date(),
    });
    const write = { shipment: change.shipment, events: change.events, meta: {} };
    await expect(t.shipping.store.checkout.create(write)).rejects.toThrow(/tracking_number/);
    expect(await t.shipping.store.checkout.shipment(request.orderId)).toBeUndefined();
    expect(await t.events(ShipmentCreatedSchema, request.orderId)).toHaveLength(0);
    const tracking = await t.shipping.db.execute("select 1 from tracking_events where shipment_id = ?", [
      change.shipment.id,
    ]);
    expect(tracking).toHaveLength(0);

    // The same write with a fresh tracking number goes through, once: a second one writes nothing.
    const fresh = { ...change.shipment, trackingNumber: newTrackingNumber("SIM") };
    expect(await t.shipping.store.checkout.create({ ...write, shipment: fresh })).toBe(true);
    const second = { ...fresh, id: crypto.randomUUID(), trackingNumber: newTrackingNumber("SIM") };
    expect(await t.shipping.store.checkout.create({ ...write, shipment: second })).toBe(false);
    const { shipment } = await t.order.getShipment({ orderId: request.orderId });
    expect(shipment?.id).toBe(fresh.id);
    expect(shipment?.trackingEvents).toHaveLength(1);
    expect(await t.events(ShipmentCreatedSchema, request.orderId)).toHaveLength(1);
  });

  it("gives every shipment its own tracking number", async () => {
    const shipments = await Promise.all(Array.from({ length: 10 }, () => created()));
    expect(new Set(shipments.map((s) => s.trackingNumber)).size).toBe(10);
  });

  it("is SHIPPING_UNAVAILABLE when the method does not serve the parcel", async () => {
    const error = await failure(
      t.order.createShipment(
        shipmentRequest({
          method: ShippingMethod.EXPRESS,
          address: { recipient: "A", line1: "1 Main St", city: "Austin", countryCode: "US" },
          items: [{ sku: "ANVIL", quantity: 1, weightGrams: 15_000 }],
        }),
      ),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(errorReason(error)).toBe("SHIPPING_UNAVAILABLE");
  });

  it("names every bad field", async () => {
    const error = await failure(
      t.order.createShipment({
        orderId: "not-a-uuid",
        method: ShippingMethod.UNSPECIFIED,
        address: { recipient: "", line1: "1 Main St", city: "Berlin", countryCode: "de" },
        items: [{ sku: "", quantity: 1, weightGrams: 100 }],
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual([
      "orderId",
      "method",
      "address.recipient",
      "address.countryCode",
      "items[0].sku",
    ]);
    const empty = await failure(t.order.createShipment({ ...shipmentRequest(), items: [] }));
    expect(fieldViolations(empty).map((v) => v.field)).toEqual(["items"]);
    const noAddress = await failure(t.order.createShipment({ ...shipmentRequest(), address: undefined }));
    expect(fieldViolations(noAddress).map((v) => v.field)).toEqual(["address"]);
  });
});

describe("CancelShipment", () => {
  it("cancels a LABEL_CREATED shipment and records ShipmentFailed with the reason", async () => {
    const shipment = await created();
    const { shipment: cancelled } = await t.order.cancelShipment({
      orderId: shipment.orderId,
      reason: "payment failed",
    });
    expect(cancelled?.status).toBe(ShipmentStatus.CANCELLED);
    expect(cancelled?.trackingEvents.map((e) => [e.status, e.note])).toEqual([
      [ShipmentStatus.LABEL_CREATED, "Shipping label created"],
      [ShipmentStatus.CANCELLED, "payment failed"],
    ]);
    const events = await t.events(ShipmentFailedSchema, shipment.orderId);
    expect(events.map((e) => [e.reason, e.shipment?.status])).toEqual([
      ["payment failed", ShipmentStatus.CANCELLED],
    ]);
  });

  it("succeeds again for a cancelled shipment, without a second event", async () => {
    const shipment = await created();
    await t.order.cancelShipment({ orderId: shipment.orderId, reason: "" });
    const again = await t.order.cancelShipment({ orderId: shipment.orderId, reason: "again" });
    expect(again.shipment?.status).toBe(ShipmentStatus.CANCELLED);
    expect(await t.events(ShipmentFailedSchema, shipment.orderId)).toHaveLength(1);
  });

  it("succeeds without a shipment for an order that has none", async () => {
    const answer = await t.order.cancelShipment({ orderId: orderId(), reason: "" });
    expect(answer.shipment).toBeUndefined();
  });

  it("is FAILED_PRECONDITION once the carrier has the parcel", async () => {
    const shipment = await created();
    await t.order.updateShipmentStatus({ orderId: shipment.orderId, status: ShipmentStatus.IN_TRANSIT });
    const error = await failure(t.order.cancelShipment({ orderId: shipment.orderId, reason: "" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(errorReason(error)).toBe("INVALID_STATE");
    const { shipment: unchanged } = await t.order.getShipment({ orderId: shipment.orderId });
    expect(unchanged?.status).toBe(ShipmentStatus.IN_TRANSIT);
  });
});

describe("UpdateShipmentStatus", () => {
  it("moves forward, appending tracking events and recording ShipmentShipped and ShipmentDelivered", async () => {
    const shipment = await created();
    const { orderId } = shipment;
    await t.client.updateShipmentStatus(
      { orderId, status: ShipmentStatus.IN_TRANSIT, note: "handed over" },
      t.admin,
    );
    await t.client.updateShipmentStatus({ orderId, status: ShipmentStatus.OUT_FOR_DELIVERY }, t.admin);
    const { shipment: delivered } = await t.client.updateShipmentStatus(
      { orderId, status: ShipmentStatus.DELIVERED },
      t.admin,
    );
    expect(delivered?.status).toBe(ShipmentStatus.DELIVERED);
    expect(delivered?.trackingEvents.map((e) => e.status)).toEqual([
      ShipmentStatus.LABEL_CREATED,
      ShipmentStatus.IN_TRANSIT,
      ShipmentStatus.OUT_FOR_DELIVERY,
      ShipmentStatus.DELIVERED,
    ]);
    expect(delivered?.trackingEvents[1]?.note).toBe("handed over");
    expect(await t.events(ShipmentShippedSchema, orderId)).toHaveLength(1);
    const deliveredEvents = await t.events(ShipmentDeliveredSchema, orderId);
    expect(deliveredEvents.map((e) => e.shipment?.status)).toEqual([ShipmentStatus.DELIVERED]);
  });

  it("changes nothing when the status repeats", async () => {
    const shipment = await created();
    await t.order.updateShipmentStatus({ orderId: shipment.orderId, status: ShipmentStatus.IN_TRANSIT });
    const { shipment: again } = await t.order.updateShipmentStatus({
      orderId: shipment.orderId,
      status: ShipmentStatus.IN_TRANSIT,
    });
    expect(again?.trackingEvents).toHaveLength(2);
    expect(await t.events(ShipmentShippedSchema, shipment.orderId)).toHaveLength(1);
  });

  it("refuses going back, and leaving a final status, with INVALID_STATE", async () => {
    const shipment = await created();
    const { orderId } = shipment;
    await t.order.updateShipmentStatus({ orderId, status: ShipmentStatus.OUT_FOR_DELIVERY });
    const back = await failure(t.order.updateShipmentStatus({ orderId, status: ShipmentStatus.IN_TRANSIT }));
    expect(back.code).toBe(Code.FailedPrecondition);
    expect(errorReason(back)).toBe("INVALID_STATE");
    await t.order.updateShipmentStatus({
      orderId,
      status: ShipmentStatus.FAILED,
      note: "refused by recipient",
    });
    const after = await failure(t.order.updateShipmentStatus({ orderId, status: ShipmentStatus.DELIVERED }));
    expect(errorReason(after)).toBe("INVALID_STATE");
    const failed = await t.events(ShipmentFailedSchema, orderId);
    expect(failed.map((e) => [e.reason, e.shipment?.status])).toEqual([
      ["refused by recipient", ShipmentStatus.FAILED],
    ]);
  });

  it("refuses FAILED before the carrier has the parcel", async () => {
    const shipment = await created();
    const error = await failure(
      t.order.updateShipmentStatus({ orderId: shipment.orderId, status: ShipmentStatus.FAILED }),
    );
    expect(errorReason(error)).toBe("INVALID_STATE");
  });

  it("names a status that cannot be set by hand, and is NOT_FOUND for an order without shipment", async () => {
    const shipment = await created();
    for (const status of [ShipmentStatus.UNSPECIFIED, ShipmentStatus.LABEL_CREATED]) {
      const error = await failure(t.order.updateShipmentStatus({ orderId: shipment.orderId, status }));
      expect(fieldViolations(error).map((v) => v.field)).toEqual(["status"]);
    }
    const missing = await failure(
      t.order.updateShipmentStatus({ orderId: orderId(), status: ShipmentStatus.IN_TRANSIT }),
    );
    expect(missing.code).toBe(Code.NotFound);
  });
});

describe("GetShipment", () => {
  it("finds a shipment by its id or by its order id", async () => {
    const shipment = await created();
    expect((await t.order.getShipment({ shipmentId: shipment.id })).shipment?.orderId).toBe(shipment.orderId);
    expect((await t.client.getShipment({ orderId: shipment.orderId }, t.support)).shipment?.id).toBe(
      shipment.id,
    );
  });

  it("wants exactly one of the two ids, and is NOT_FOUND for an unknown one", async () => {
    const neither = await failure(t.order.getShipment({}));
    expect(neither.code).toBe(Code.InvalidArgument);
    const both = await failure(t.order.getShipment({ shipmentId: orderId(), orderId: orderId() }));
    expect(both.code).toBe(Code.InvalidArgument);
    const unknown = await failure(t.order.getShipment({ shipmentId: orderId() }));
    expect(unknown.code).toBe(Code.NotFound);
  });
});

describe("access", () => {
  it("lets only services create and cancel shipments", async () => {
    const request = shipmentRequest();
    expect((await failure(t.client.createShipment(request))).code).toBe(Code.Unauthenticated);
    expect((await failure(t.client.createShipment(request, t.admin))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.cancelShipment({ orderId: request.orderId }, t.admin))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.cancelShipment({ orderId: request.orderId }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
  });

  it("lets services and staff read shipments, not customers or anonymous callers", async () => {
    const shipment = await created();
    expect((await t.client.getShipment({ orderId: shipment.orderId }, t.admin)).shipment?.id).toBe(
      shipment.id,
    );
    expect((await failure(t.client.getShipment({ orderId: shipment.orderId }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.getShipment({ orderId: shipment.orderId }))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("lets services and admins set statuses, not support", async () => {
    const shipment = await created();
    const update = { orderId: shipment.orderId, status: ShipmentStatus.IN_TRANSIT };
    expect((await failure(t.client.updateShipmentStatus(update, t.support))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.updateShipmentStatus(update, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await t.client.updateShipmentStatus(update, t.admin)).shipment?.status).toBe(
      ShipmentStatus.IN_TRANSIT,
    );
  });
});
