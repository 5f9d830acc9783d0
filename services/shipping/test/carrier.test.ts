import { fromBinary } from "@bufbuild/protobuf";
import {
  ShipmentCreatedSchema,
  ShipmentDeliveredSchema,
  ShipmentShippedSchema,
} from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { EventHeaders, streamName } from "@shopmesh/kit/events";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedCarrier } from "../src/carrier/simcarrier.ts";
import { shipmentRequest, startTestShipping, type TestShipping } from "./support.ts";

describe("the simulated carrier, driven by hand", () => {
  let t: TestShipping;

  beforeAll(async () => {
    t = await startTestShipping();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("moves a parcel one status per step until DELIVERED, with ShipmentShipped and ShipmentDelivered in the outbox", async () => {
    const { shipment } = await t.order.createShipment(
      shipmentRequest({
        address: {
          recipient: "Jean",
          line1: "1 rue de Rivoli",
          city: "Paris",
          postalCode: "75001",
          countryCode: "FR",
        },
      }),
    );
    const orderId = shipment!.orderId;
    const statuses: ShipmentStatus[] = [];
    for (let step = 0; step < 3; step++) {
      expect(await t.tick()).toBeGreaterThanOrEqual(1);
      statuses.push((await t.order.getShipment({ orderId })).shipment!.status);
    }
    expect(statuses).toEqual([
      ShipmentStatus.IN_TRANSIT,
      ShipmentStatus.OUT_FOR_DELIVERY,
      ShipmentStatus.DELIVERED,
    ]);

    const delivered = (await t.order.getShipment({ orderId })).shipment!;
    expect(delivered.trackingEvents.map((e) => [e.status, e.location])).toEqual([
      [ShipmentStatus.LABEL_CREATED, ""],
      [ShipmentStatus.IN_TRANSIT, "DE sorting centre"],
      [ShipmentStatus.OUT_FOR_DELIVERY, "Paris delivery depot"],
      [ShipmentStatus.DELIVERED, "Paris"],
    ]);
    expect(await t.events(ShipmentShippedSchema, orderId)).toHaveLength(1);
    const done = await t.events(ShipmentDeliveredSchema, orderId);
    expect(done.map((e) => e.shipment?.status)).toEqual([ShipmentStatus.DELIVERED]);

    // Nothing left to move: a fourth step changes nothing.
    await t.tick();
    expect((await t.order.getShipment({ orderId })).shipment!.trackingEvents).toHaveLength(4);
  });

  it("leaves cancelled and failed shipments alone", async () => {
    const { shipment } = await t.order.createShipment(shipmentRequest());
    await t.order.cancelShipment({ orderId: shipment!.orderId, reason: "" });
    await t.tick();
    expect((await t.order.getShipment({ orderId: shipment!.orderId })).shipment!.status).toBe(
      ShipmentStatus.CANCELLED,
    );
  });

  it("moves each parcel exactly once when two replicas step at the same time", async () => {
    const orders = await Promise.all(
      Array.from(
        { length: 6 },
        async () => (await t.order.createShipment(shipmentRequest())).shipment!.orderId,
      ),
    );
    const replica = () =>
      createSimulatedCarrier({
        store: t.shipping.store,
        carriers: t.shipping.carriers,
        logger: t.shipping.logger,
        stepMs: 1_000,
        origin: "DE",
        batchSize: 2,
      });
    // Both step as if a step's time had passed since the parcels were labelled.
    const now = new Date(Date.now() + 5_000);
    const moved = await Promise.all([replica().tick(now), replica().tick(now)]);
    expect(moved[0] + moved[1]).toBe(6);
    for (const orderId of orders) {
      const shipment = (await t.order.getShipment({ orderId })).shipment!;
      expect(shipment.trackingEvents.map((e) => e.status)).toEqual([
        ShipmentStatus.LABEL_CREATED,
        ShipmentStatus.IN_TRANSIT,
      ]);
      expect(await t.events(ShipmentShippedSchema, orderId)).toHaveLength(1);
    }
  });
});

describe("the simulated carrier's loop", () => {
  let t: TestShipping;

  beforeAll(async () => {
    t = await startTestShipping({ stepMs: 100 });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("delivers a parcel by itself and the events reach the stream, ce-subject the order id", async () => {
    const { shipment } = await t.order.createShipment(shipmentRequest());
    const orderId = shipment!.orderId;
    await waitFor(
      async () => (await t.order.getShipment({ orderId })).shipment!.status === ShipmentStatus.DELIVERED,
      { timeoutMs: 20_000 },
    );
    const stream = streamName(t.prefix, "shipping");
    await waitFor(
      async () => {
        const messages = await readStream(stream);
        return messages.some((m) => m.header?.get(EventHeaders.type) === ShipmentDeliveredSchema.typeName);
      },
      { timeoutMs: 20_000 },
    );
    const messages = (await readStream(stream)).filter(
      (m) => m.header?.get(EventHeaders.subject) === orderId,
    );
    expect(messages.map((m) => m.header?.get(EventHeaders.type))).toEqual([
      ShipmentCreatedSchema.typeName,
      ShipmentShippedSchema.typeName,
      ShipmentDeliveredSchema.typeName,
    ]);
    const last = fromBinary(ShipmentDeliveredSchema, messages[2]!.data);
    expect(last.shipment?.trackingEvents).toHaveLength(4);
  });
});
