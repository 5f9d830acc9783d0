import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Shipment as ShipmentMessage,
  ShipmentSchema,
  ShipmentStatus as ShipmentStatusEnum,
  ShippingMethod as ShippingMethodEnum,
} from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { ShippingMethod } from "./method.ts";
import type { Shipment, ShipmentStatus } from "./shipment.ts";

/**
 * Domain → proto for shipments: the answer of every shipment RPC and the payload of every
 * shipping event are the same message, so it lives beside the aggregate.
 */

const STATUS_TO_PROTO: Record<ShipmentStatus, ShipmentStatusEnum> = {
  label_created: ShipmentStatusEnum.LABEL_CREATED,
  in_transit: ShipmentStatusEnum.IN_TRANSIT,
  out_for_delivery: ShipmentStatusEnum.OUT_FOR_DELIVERY,
  delivered: ShipmentStatusEnum.DELIVERED,
  failed: ShipmentStatusEnum.FAILED,
  cancelled: ShipmentStatusEnum.CANCELLED,
};

const METHOD_TO_PROTO: Record<ShippingMethod, ShippingMethodEnum> = {
  standard: ShippingMethodEnum.STANDARD,
  express: ShippingMethodEnum.EXPRESS,
};

export function statusToProto(status: ShipmentStatus): ShipmentStatusEnum {
  return STATUS_TO_PROTO[status];
}

/** The domain status of a proto value; undefined for UNSPECIFIED and unknown numbers. */
export function statusFromProto(status: ShipmentStatusEnum): ShipmentStatus | undefined {
  return (Object.keys(STATUS_TO_PROTO) as ShipmentStatus[]).find((key) => STATUS_TO_PROTO[key] === status);
}

export function methodToProto(method: ShippingMethod): ShippingMethodEnum {
  return METHOD_TO_PROTO[method];
}

/** The domain method of a proto value; undefined for UNSPECIFIED and unknown numbers. */
export function methodFromProto(method: ShippingMethodEnum): ShippingMethod | undefined {
  return (Object.keys(METHOD_TO_PROTO) as ShippingMethod[]).find((key) => METHOD_TO_PROTO[key] === method);
}

/** A shipment as shopmesh.shipping.v1.Shipment. */
export function shipmentMessage(shipment: Shipment): ShipmentMessage {
  return create(ShipmentSchema, {
    id: shipment.id,
    orderId: shipment.orderId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    method: methodToProto(shipment.method),
    status: statusToProto(shipment.status),
    address: { ...shipment.address },
    weightGrams: shipment.weightGrams,
    trackingEvents: shipment.trackingEvents.map((event) => ({
      status: statusToProto(event.status),
      location: event.location,
      note: event.note,
      eventTime: timestampFromDate(event.eventTime),
    })),
    createTime: timestampFromDate(shipment.createTime),
    updateTime: timestampFromDate(shipment.updateTime),
  });
}
