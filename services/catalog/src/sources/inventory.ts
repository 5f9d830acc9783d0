import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { RpcClient } from "@shopmesh/kit/rpc";

/** Reads current availability: the absolute units available per SKU, 0 for SKUs inventory does not know. */
export interface AvailabilitySource {
  availability(skus: readonly string[]): Promise<{ sku: string; available: bigint }[]>;
}

/** inventory answers at most this many SKUs per GetAvailability call. */
export const AVAILABILITY_BATCH = 500;

/**
 * Availability from inventory's GetAvailability, in calls of at most 500 SKUs, one after the
 * other (a backfill must not flood inventory). The catalog calls as itself (the client's
 * service token). A SKU missing from an answer counts as 0 available.
 */
export function createInventoryAvailability(
  inventory: RpcClient<typeof InventoryService>,
): AvailabilitySource {
  return {
    async availability(skus) {
      const wanted = [...new Set(skus)];
      const found = new Map<string, bigint>();
      for (let start = 0; start < wanted.length; start += AVAILABILITY_BATCH) {
        const batch = wanted.slice(start, start + AVAILABILITY_BATCH);
        const { items } = await inventory.getAvailability({ skus: batch });
        for (const item of items) found.set(item.sku, item.available > 0n ? item.available : 0n);
      }
      return wanted.map((sku) => ({ sku, available: found.get(sku) ?? 0n }));
    },
  };
}
