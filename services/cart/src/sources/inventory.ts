import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { RpcClient } from "@shopmesh/kit/rpc";
import type { Stock, StockSource } from "../domain/sources.ts";
import { callPeer } from "./peer-error.ts";

/**
 * Current availability from inventory: one GetAvailability call for all the SKUs asked about
 * (none for no SKUs; a cart's 100 lines are well under inventory's 500 per call). The cart calls
 * as itself (the client's service token).
 */
export function createInventoryStock(inventory: RpcClient<typeof InventoryService>): StockSource {
  return {
    async availability(skus, call = {}) {
      const found = new Map<string, Stock>();
      if (skus.length === 0) return found;
      const { signal, ...context } = call;
      const response = await callPeer("inventory", () =>
        inventory.getAvailability({ skus: [...skus] }, { call: context, ...(signal ? { signal } : {}) }),
      );
      for (const item of response.items) {
        found.set(item.sku, { sku: item.sku, available: item.available, inStock: item.inStock });
      }
      return found;
    },
  };
}
