import type { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { type FieldViolation, notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkShippingAddress } from "../domain/address.ts";
import { parcelWeight } from "../domain/parcel.ts";
import { quoteFor, shippingUnavailable } from "../domain/rates.ts";
import { cancelShipment, createShipment, MAX_TEXT_LENGTH, type Shipment } from "../domain/shipment.ts";
import { methodFromProto, shipmentMessage, statusFromProto } from "../domain/shipment-message.ts";
import { newTrackingNumber } from "../domain/tracking-number.ts";
import { zoneOf } from "../domain/zones.ts";
import { eventMeta } from "../events.ts";
import { changeStatus } from "../shipment-steps.ts";
import type { Repositories } from "../store/index.ts";
import { addressFromProto, itemsFromProto } from "./convert.ts";
import type { ShippingDeps } from "./deps.ts";
import { check, maxLength, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof ShippingService>;

/** Shipments: created and cancelled by the order service, read by staff, moved by admins. */
export function shipmentHandlers(
  deps: ShippingDeps,
): Pick<Handlers, "createShipment" | "cancelShipment" | "getShipment" | "updateShipmentStatus"> {
  const { store } = deps;

  return {
    async createShipment(request, ctx) {
      const method = methodFromProto(request.method);
      const address = addressFromProto(request.address);
      const items = itemsFromProto(request.items);
      const parcel = parcelWeight({ items, weightGrams: 0 }, { requireSku: true, weightField: "items" });
      check(
        uuid(request.orderId, "orderId"),
        method ? [] : [{ field: "method", description: "must be STANDARD or EXPRESS" }],
        checkShippingAddress(address, "address"),
        items.length === 0 ? [{ field: "items", description: "must not be empty" }] : parcel.violations,
      );
      // A retry finds the first call's shipment without taking a lock.
      const existing = await store.checkout.shipment(request.orderId);
      if (existing) return { shipment: shipmentMessage(existing) };

      const destination = address!;
      const zone = zoneOf(destination.countryCode, deps.shopCountry);
      if (!quoteFor(method!, zone, parcel.weightGrams, deps.currency)) {
        throw shippingUnavailable(zone, parcel.weightGrams, method);
      }
      const carrier = deps.carriers.get(deps.defaultCarrier);
      if (!carrier) throw new Error(`carrier ${deps.defaultCarrier} is not configured`);
      const change = createShipment({
        id: newId(),
        orderId: request.orderId,
        carrier: carrier.name,
        trackingNumber: newTrackingNumber(carrier.trackingPrefix),
        method: method!,
        address: destination,
        items,
        weightGrams: parcel.weightGrams,
        now: new Date(),
      });
      const { shipment, events } = change;
      if (await store.checkout.create({ shipment, events, meta: eventMeta(ctx) })) {
        deps.statusChanges?.inc({ status: shipment.status });
        return { shipment: shipmentMessage(shipment) };
      }
      // A concurrent CreateShipment of the same order committed first: answer its shipment.
      const first = await store.checkout.shipment(request.orderId);
      if (!first) throw new Error(`order ${request.orderId}: a shipment conflicted but cannot be read`);
      return { shipment: shipmentMessage(first) };
    },

    async cancelShipment(request, ctx) {
      check(uuid(request.orderId, "orderId"), maxLength(request.reason, MAX_TEXT_LENGTH, "reason"));
      const shipment = await store.transaction(async (tx) => {
        const current = await tx.shipments.byOrderId(request.orderId, { lock: true });
        if (!current) return undefined;
        const change = cancelShipment(current, request.reason, new Date());
        if (change.shipment === current) return current;
        await tx.shipments.update(change.shipment, change.added);
        tx.record(change.events, eventMeta(ctx));
        deps.statusChanges?.inc({ status: change.shipment.status });
        return change.shipment;
      });
      return shipment ? { shipment: shipmentMessage(shipment) } : {};
    },

    async getShipment(request) {
      const byId = request.shipmentId !== "";
      const byOrder = request.orderId !== "";
      const violations: FieldViolation[] =
        byId === byOrder
          ? [
              {
                field: byId ? "orderId" : "shipmentId",
                description: "give exactly one of shipmentId and orderId",
              },
            ]
          : byId
            ? uuid(request.shipmentId, "shipmentId")
            : uuid(request.orderId, "orderId");
      check(violations);
      const shipment = await existingShipment(store.read(), request.shipmentId, request.orderId);
      return { shipment: shipmentMessage(shipment) };
    },

    async updateShipmentStatus(request, ctx) {
      const status = statusFromProto(request.status);
      check(
        uuid(request.orderId, "orderId"),
        status && status !== "label_created"
          ? []
          : [
              {
                field: "status",
                description: "must be IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, FAILED or CANCELLED",
              },
            ],
        maxLength(request.note, MAX_TEXT_LENGTH, "note"),
      );
      const shipment = await store.transaction(async (tx) => {
        const current = await existingShipment(tx, "", request.orderId, true);
        const moved = await changeStatus(
          tx,
          current,
          { status: status!, note: request.note, now: new Date() },
          eventMeta(ctx),
        );
        if (moved !== current) deps.statusChanges?.inc({ status: moved.status });
        return moved;
      });
      return { shipment: shipmentMessage(shipment) };
    },
  };
}

/** The shipment of an id or, when the id is "", of an order; NOT_FOUND when there is none. */
async function existingShipment(
  repos: Repositories,
  shipmentId: string,
  orderId: string,
  lock = false,
): Promise<Shipment> {
  const shipment = shipmentId
    ? await repos.shipments.byId(shipmentId, { lock })
    : await repos.shipments.byOrderId(orderId, { lock });
  if (!shipment)
    throw notFound(shipmentId ? `shipment ${shipmentId} not found` : `order ${orderId} has no shipment`);
  return shipment;
}
