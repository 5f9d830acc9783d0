import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { createWarehouse, updateWarehouse, type Warehouse, warehouseMessage } from "../domain/warehouse.ts";
import { eventMeta } from "../events.ts";
import type { Repositories } from "../store/index.ts";
import { requireStockReader } from "./access.ts";
import { warehouseFromProto } from "./convert.ts";
import type { InventoryDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof InventoryService>;

export const LIST_WAREHOUSES_PAGE = { defaultSize: 50, maxSize: 200 } as const;

/** Warehouses: created and changed by inventory managers, read by staff. */
export function warehouseHandlers(
  deps: InventoryDeps,
): Pick<Handlers, "createWarehouse" | "updateWarehouse" | "getWarehouse" | "listWarehouses"> {
  const { store } = deps;

  return {
    async createWarehouse(request, ctx) {
      check(request.warehouse ? [] : [{ field: "warehouse", description: "is required" }]);
      const change = createWarehouse(warehouseFromProto(request.warehouse), { id: newId(), now: new Date() });
      await store.transaction(async (tx) => {
        await tx.warehouses.insert(change.warehouse);
        tx.record(change.events, eventMeta(ctx));
      });
      return { warehouse: warehouseMessage(change.warehouse) };
    },

    async updateWarehouse(request, ctx) {
      check(
        request.warehouse
          ? uuid(request.warehouse.id, "warehouse.id")
          : [{ field: "warehouse", description: "is required" }],
      );
      const id = request.warehouse?.id ?? "";
      const warehouse = await store.transaction(async (tx) => {
        const current = await existingWarehouse(tx, id, true);
        const change = updateWarehouse(
          current,
          warehouseFromProto(request.warehouse),
          request.updateMask?.paths ?? [],
          {
            now: new Date(),
          },
        );
        if (change.warehouse === current) return current;
        await tx.warehouses.update(change.warehouse);
        tx.record(change.events, eventMeta(ctx));
        return change.warehouse;
      });
      return { warehouse: warehouseMessage(warehouse) };
    },

    async getWarehouse(request, ctx) {
      requireStockReader(ctx);
      check(uuid(request.warehouseId, "warehouseId"));
      return { warehouse: warehouseMessage(await existingWarehouse(store.read(), request.warehouseId)) };
    },

    async listWarehouses(request, ctx) {
      requireStockReader(ctx);
      const limit = pageSize(request.pageSize, LIST_WAREHOUSES_PAGE);
      const filters = filterHash([request.showInactive ? "all" : "active"]);
      const after = decodePageToken(request.pageToken, filters, ({ key, id }) => {
        const priority = Number(key);
        return key !== "" && Number.isInteger(priority) && id !== "" ? { priority, code: id } : undefined;
      });
      const warehouses = await store.read().warehouses.list(request.showInactive, after, limit + 1);
      return {
        warehouses: warehouses.slice(0, limit).map(warehouseMessage),
        nextPageToken: nextPageToken(
          warehouses,
          limit,
          (last) => ({ key: String(last.priority), id: last.code }),
          filters,
        ),
      };
    },
  };
}

/** The warehouse `id`; NOT_FOUND when there is none. */
export async function existingWarehouse(repos: Repositories, id: string, lock = false): Promise<Warehouse> {
  const warehouse = await repos.warehouses.byId(id, { lock });
  if (!warehouse) throw notFound(`warehouse ${id} not found`);
  return warehouse;
}
