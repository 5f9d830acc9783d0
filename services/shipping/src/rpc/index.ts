import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import type { ShippingDeps } from "./deps.ts";
import { quoteHandlers } from "./quotes.ts";
import { shipmentHandlers } from "./shipments.ts";
import { webhookHandlers } from "./webhooks.ts";

export type { ShippingDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.shipping.v1.ShippingService. Each maps its request to domain calls
 * and store operations and the result back to proto; failures map to statuses in the kit's
 * toRpcError.
 */
export function createShippingHandlers(deps: ShippingDeps): ServiceHandlers<typeof ShippingService> {
  return withErrorMapping(ShippingService, {
    ...quoteHandlers(deps),
    ...shipmentHandlers(deps),
    ...webhookHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say. (public) calls need no token (the webhook proves
 * itself with its signature); (service) calls only other services (the order service's checkout
 * saga); (staff: orders.read) support and admins; (admin: orders.write) admins. Services pass
 * every permission rule.
 */
export const SHIPPING_ACCESS_RULES: AccessRules<typeof ShippingService> = {
  getQuotes: "public",
  createShipment: "service",
  cancelShipment: "service",
  getShipment: { permission: "orders.read" },
  updateShipmentStatus: { permission: "orders.write" },
  handleCarrierWebhook: "public",
};
