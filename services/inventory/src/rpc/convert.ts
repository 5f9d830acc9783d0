import type { Warehouse as WarehouseMessage } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { WarehouseInput } from "../domain/warehouse.ts";

/**
 * Proto → domain mapping of inventory's requests. Domain → proto lives beside each aggregate
 * (warehouseMessage, stockLevelMessage, reservationMessage...) because events carry the same
 * messages as responses.
 */

/** What a request's Warehouse says; an absent address stays absent. */
export function warehouseFromProto(message: WarehouseMessage | undefined): WarehouseInput {
  if (!message) return {};
  const postal = message.address;
  return {
    code: message.code,
    name: message.name,
    priority: message.priority,
    active: message.active,
    ...(postal
      ? {
          address: {
            recipient: postal.recipient,
            line1: postal.line1,
            line2: postal.line2,
            city: postal.city,
            region: postal.region,
            postalCode: postal.postalCode,
            countryCode: postal.countryCode,
            phone: postal.phone,
          },
        }
      : {}),
  };
}
