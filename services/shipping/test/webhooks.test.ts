import {
  ShipmentDeliveredSchema,
  ShipmentFailedSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import { type Shipment, ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { signWebhook } from "@shopmesh/kit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CarrierStatus, formatCarrierEvent } from "../src/domain/carrier-event.ts";
import { Code, failure, shipmentRequest, startTestShipping, type TestShipping } from "./support.ts";

let t: TestShipping;
let events = 0;

beforeAll(async () => {
  t = await startTestShipping();
});

afterAll(async () => {
  await t?.stop();
});

async function created(): Promise<Shipment> {
  return (await t.order.createShipment(shipmentRequest())).shipment!;
}

/** A carrier status event as bytes, with a fresh id unless given. */
function statusEvent(
  trackingNumber: string,
  status: CarrierStatus,
  extra: { id?: string; location?: string } = {},
) {
  events++;
  const body = formatCarrierEvent({
    id: extra.id ?? `evt_test_${events}_${Date.now()}`,
    created: Math.floor(Date.now() / 1000),
    trackingNumber,
    status,
    location: extra.location ?? "Hamburg hub",
    note: "",
  });
  return new TextEncoder().encode(body);
}

/** Sends a webhook as the BFF forwards it: no token, the raw body, the signature header's value. */
function deliver(payload: Uint8Array, signature = t.sign(payload), carrier = "simcarrier") {
  return t.client.handleCarrierWebhook({ carrier, payload, signature });
}

async function status(orderId: string) {
  return (await t.order.getShipment({ orderId })).shipment!;
}

describe("HandleCarrierWebhook", () => {
  it("applies a signed status event: the shipment moves, a tracking event and ShipmentShipped are recorded", async () => {
    const shipment = await created();
    const answer = await deliver(
      statusEvent(shipment.trackingNumber, "in_transit", { location: "Hamburg hub" }),
    );
    expect(answer.duplicate).toBe(false);
    const now = await status(shipment.orderId);
    expect(now.status).toBe(ShipmentStatus.IN_TRANSIT);
    expect(now.trackingEvents.at(-1)).toMatchObject({
      status: ShipmentStatus.IN_TRANSIT,
      location: "Hamburg hub",
    });
    const shipped = await t.events(ShipmentShippedSchema, shipment.orderId);
    expect(shipped.map((e) => e.shipment?.status)).toEqual([ShipmentStatus.IN_TRANSIT]);
  });

  it("records ShipmentDelivered on delivered and ShipmentFailed on failed", async () => {
    const a = await created();
    await deliver(statusEvent(a.trackingNumber, "in_transit"));
    await deliver(statusEvent(a.trackingNumber, "delivered"));
    expect((await status(a.orderId)).status).toBe(ShipmentStatus.DELIVERED);
    expect(await t.events(ShipmentDeliveredSchema, a.orderId)).toHaveLength(1);

    const b = await created();
    await deliver(statusEvent(b.trackingNumber, "in_transit"));
    await deliver(statusEvent(b.trackingNumber, "failed"));
    expect((await status(b.orderId)).status).toBe(ShipmentStatus.FAILED);
    expect((await t.events(ShipmentFailedSchema, b.orderId))[0]?.shipment?.status).toBe(
      ShipmentStatus.FAILED,
    );
  });

  it("acknowledges a replayed event id as duplicate, without a second effect", async () => {
    const shipment = await created();
    const payload = statusEvent(shipment.trackingNumber, "in_transit");
    const signature = t.sign(payload);
    expect((await deliver(payload, signature)).duplicate).toBe(false);
    expect((await deliver(payload, signature)).duplicate).toBe(true);
    // The same id again, even with another body, is the same event.
    const again = statusEvent(shipment.trackingNumber, "delivered", {
      id: JSON.parse(new TextDecoder().decode(payload)).id,
    });
    expect((await deliver(again)).duplicate).toBe(true);
    const now = await status(shipment.orderId);
    expect(now.status).toBe(ShipmentStatus.IN_TRANSIT);
    expect(now.trackingEvents).toHaveLength(2);
    expect(await t.events(ShipmentShippedSchema, shipment.orderId)).toHaveLength(1);
  });

  it("handles concurrent deliveries of one event once", async () => {
    const shipment = await created();
    const payload = statusEvent(shipment.trackingNumber, "in_transit");
    const signature = t.sign(payload);
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(payload, signature)));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect((await status(shipment.orderId)).trackingEvents).toHaveLength(2);
  });

  it("acknowledges a status arriving out of order without moving the shipment back", async () => {
    const shipment = await created();
    await deliver(statusEvent(shipment.trackingNumber, "delivered"));
    const late = await deliver(statusEvent(shipment.trackingNumber, "in_transit"));
    expect(late.duplicate).toBe(false);
    const now = await status(shipment.orderId);
    expect(now.status).toBe(ShipmentStatus.DELIVERED);
    expect(now.trackingEvents.map((e) => e.status)).toEqual([
      ShipmentStatus.LABEL_CREATED,
      ShipmentStatus.DELIVERED,
    ]);
    // Straight from a label to delivered: the order still learns the parcel shipped, first.
    expect(await t.events(ShipmentShippedSchema, shipment.orderId)).toHaveLength(1);
    expect(await t.events(ShipmentDeliveredSchema, shipment.orderId)).toHaveLength(1);
  });

  it("refuses a wrong signature with UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID and changes nothing", async () => {
    const shipment = await created();
    const payload = statusEvent(shipment.trackingNumber, "in_transit");
    for (const signature of [
      signWebhook("not-the-carrier-secret", payload),
      "t=garbage",
      `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`,
    ]) {
      const error = await failure(deliver(payload, signature));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(errorReason(error)).toBe("WEBHOOK_SIGNATURE_INVALID");
    }
    // One byte more (valid JSON still) is another payload.
    const tampered = new Uint8Array([...payload, 0x20]);
    expect(errorReason(await failure(deliver(tampered, t.sign(payload))))).toBe("WEBHOOK_SIGNATURE_INVALID");
    expect((await status(shipment.orderId)).status).toBe(ShipmentStatus.LABEL_CREATED);
    // Refused events are not remembered: the real one still goes through.
    expect((await deliver(payload)).duplicate).toBe(false);
  });

  it("refuses a signature older than 300 s, so a captured request cannot be replayed later", async () => {
    const shipment = await created();
    const payload = statusEvent(shipment.trackingNumber, "in_transit");
    const stale = t.sign(payload, Math.floor(Date.now() / 1000) - 301);
    const error = await failure(deliver(payload, stale));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(errorReason(error)).toBe("WEBHOOK_SIGNATURE_INVALID");
    const ahead = t.sign(payload, Math.floor(Date.now() / 1000) + 400);
    expect(errorReason(await failure(deliver(payload, ahead)))).toBe("WEBHOOK_SIGNATURE_INVALID");
  });

  it("is NOT_FOUND for an unknown carrier, before looking at the signature", async () => {
    const payload = statusEvent("SIMAAAAAAAAAAAA", "in_transit");
    const error = await failure(deliver(payload, "t=1,v1=00", "fedex"));
    expect(error.code).toBe(Code.NotFound);
  });

  it("is NOT_FOUND for a tracking number of no shipment, and does not swallow the event", async () => {
    const error = await failure(deliver(statusEvent("SIMAAAAAAAAAAAA", "in_transit")));
    expect(error.code).toBe(Code.NotFound);
  });

  it("names the bad member of a signed body that is not a carrier event", async () => {
    const payload = new TextEncoder().encode(
      JSON.stringify({ id: "evt_x", type: "shipment.status", created: 1 }),
    );
    const error = await failure(deliver(payload));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["payload.data"]);
  });

  it("acknowledges event types it does not read", async () => {
    const payload = new TextEncoder().encode(
      JSON.stringify({ id: `evt_other_${Date.now()}`, type: "pickup.scheduled", created: 1, data: {} }),
    );
    expect((await deliver(payload)).duplicate).toBe(false);
    expect((await deliver(payload)).duplicate).toBe(true);
  });

  it("needs no token, and a customer's token changes nothing", async () => {
    const shipment = await created();
    const payload = statusEvent(shipment.trackingNumber, "in_transit");
    const answer = await t.client.handleCarrierWebhook(
      { carrier: "simcarrier", payload, signature: t.sign(payload) },
      t.customer,
    );
    expect(answer.duplicate).toBe(false);
  });
});
