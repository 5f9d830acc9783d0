import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { FieldViolation } from "@shopmesh/kit/errors";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkSku } from "../domain/sku.ts";
import type { InventoryDeps } from "./deps.ts";
import { check } from "./fields.ts";

type Handlers = ServiceHandlers<typeof InventoryService>;

/** The most SKUs one GetAvailability answers: a listing page, or a big cart. */
export const MAX_AVAILABILITY_SKUS = 500;

/**
 * Availability for listing pages and carts: one query over all requested SKUs (the hot read path,
 * raw SQL), summed over active warehouses. Unknown SKUs answer 0, not an error: the catalog may
 * list a product before its first delivery.
 */
export function availabilityHandlers(deps: InventoryDeps): Pick<Handlers, "getAvailability"> {
  const { store } = deps;

  return {
    async getAvailability(request) {
      const violations: FieldViolation[] = [];
      if (request.skus.length > MAX_AVAILABILITY_SKUS) {
        violations.push({ field: "skus", description: `must have at most ${MAX_AVAILABILITY_SKUS} SKUs` });
      } else {
        request.skus.forEach((sku, index) => {
          violations.push(...checkSku(sku, `skus[${index}]`));
        });
      }
      check(violations);
      const skus = [...new Set(request.skus)];
      const available = await store.read().stock.availability(skus);
      return {
        items: skus.map((sku) => {
          const units = available.get(sku) ?? 0;
          return { sku, available: BigInt(units), inStock: units > 0 };
        }),
      };
    },
  };
}
