import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { availabilityHandlers } from "./availability.ts";
import type { InventoryDeps } from "./deps.ts";
import { reservationHandlers } from "./reservations.ts";
import { stockHandlers } from "./stock.ts";
import { warehouseHandlers } from "./warehouses.ts";

export type { InventoryDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.inventory.v1.InventoryService. Each maps its request to domain calls
 * and store operations and the result back to proto; failures map to statuses in the kit's toRpcError.
 */
export function createInventoryHandlers(deps: InventoryDeps): ServiceHandlers<typeof InventoryService> {
  return withErrorMapping(InventoryService, {
    ...warehouseHandlers(deps),
    ...stockHandlers(deps),
    ...availabilityHandlers(deps),
    ...reservationHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say. (public) calls need no token; (service) calls
 * only other services (the order service's checkout saga); (admin: inventory.write) calls that
 * permission. (staff) reads are "authenticated" here and the handler asks for inventory.write
 * or orders.read (access.ts): the kit's rules take one permission. Services pass every
 * permission rule.
 */
export const INVENTORY_ACCESS_RULES: AccessRules<typeof InventoryService> = {
  createWarehouse: { permission: "inventory.write" },
  updateWarehouse: { permission: "inventory.write" },
  getWarehouse: "authenticated",
  listWarehouses: "authenticated",
  adjustStock: { permission: "inventory.write" },
  setLowStockThreshold: { permission: "inventory.write" },
  listStockLevels: "authenticated",
  listAdjustments: "authenticated",
  getAvailability: "public",
  reserve: "service",
  commitReservation: "service",
  releaseReservation: "service",
  getReservation: { permission: "orders.read" },
};
