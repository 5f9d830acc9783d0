import type { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { alreadyExists } from "@shopmesh/kit/errors";
import { isUuid, newId } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkThreshold, evaluateLowStock } from "../domain/low-stock.ts";
import { checkSku } from "../domain/sku.ts";
import {
  type Adjustment,
  type AdjustmentInput,
  adjustmentMessage,
  adjustStock,
  checkAdjustment,
  reasonFromProto,
  type StockChange,
  stockLevelMessage,
} from "../domain/stock.ts";
import { actorOf, eventMeta } from "../events.ts";
import { checkLowStock } from "../stock-steps.ts";
import { requireStockReader } from "./access.ts";
import type { InventoryDeps } from "./deps.ts";
import { check, int64, optionalUuid, uuid } from "./fields.ts";
import { existingWarehouse } from "./warehouses.ts";

type Handlers = ServiceHandlers<typeof InventoryService>;

export const LIST_STOCK_LEVELS_PAGE = { defaultSize: 100, maxSize: 500 } as const;
export const LIST_ADJUSTMENTS_PAGE = { defaultSize: 50, maxSize: 200 } as const;
export const MAX_REQUEST_ID_LENGTH = 64;

/** Stock levels, adjustments and low-stock thresholds. */
export function stockHandlers(
  deps: InventoryDeps,
): Pick<Handlers, "adjustStock" | "setLowStockThreshold" | "listStockLevels" | "listAdjustments"> {
  const { store } = deps;

  return {
    async adjustStock(request, ctx) {
      const input: AdjustmentInput = {
        reason: reasonFromProto(request.reason),
        change: changeFromProto(request.change),
        note: request.note,
      };
      const requestId = request.requestId.trim();
      check(
        checkSku(request.sku, "sku"),
        uuid(request.warehouseId, "warehouseId"),
        checkAdjustment(input),
        [...requestId].length > MAX_REQUEST_ID_LENGTH
          ? [{ field: "requestId", description: `must be at most ${MAX_REQUEST_ID_LENGTH} characters` }]
          : [],
      );
      const meta = eventMeta(ctx);
      const now = new Date();
      const result = await store.transaction(async (tx) => {
        await existingWarehouse(tx, request.warehouseId);
        // The level's lock serialises adjustments of it, so a retry waits for the first try and
        // then finds its adjustment.
        const level = await tx.stock.lockLevel(request.sku, request.warehouseId);
        const threshold = await tx.stock.threshold(request.sku);
        if (requestId) {
          const first = await tx.stock.adjustmentByRequestId(requestId);
          if (first)
            return { adjustment: sameAdjustment(first, request.sku, request.warehouseId), level, threshold };
        }
        const change = adjustStock(level, input, {
          id: newId(),
          actor: actorOf(ctx.principal) ?? "anonymous",
          now,
          requestId: requestId || null,
          lowStockThreshold: threshold,
        });
        await tx.stock.saveOnHand(change.level);
        await tx.stock.insertAdjustment(change.adjustment);
        tx.record(change.events, meta);
        await checkLowStock(tx, [request.sku], now, meta);
        return { adjustment: change.adjustment, level: change.level, threshold };
      });
      return {
        adjustment: adjustmentMessage(result.adjustment),
        stockLevel: stockLevelMessage(result.level, result.threshold),
      };
    },

    async setLowStockThreshold(request, ctx) {
      const threshold = int64(request.lowStockThreshold, "lowStockThreshold");
      check(checkSku(request.sku, "sku"), checkThreshold(threshold, "lowStockThreshold"));
      const now = new Date();
      const meta = eventMeta(ctx);
      const result = await store.transaction(async (tx) => {
        const alert = await tx.stock.setThreshold(request.sku, threshold, now);
        const available = (await tx.stock.availability([request.sku])).get(request.sku) ?? 0;
        const change = evaluateLowStock(alert, available);
        if (change.alert !== alert) await tx.stock.saveAlert(change.alert, now);
        tx.record(change.events, meta);
        return { available, low: change.alert.low };
      });
      return {
        sku: request.sku,
        lowStockThreshold: BigInt(threshold),
        available: BigInt(result.available),
        lowStock: result.low,
      };
    },

    async listStockLevels(request, ctx) {
      requireStockReader(ctx);
      check(
        request.sku ? checkSku(request.sku, "sku") : [],
        optionalUuid(request.warehouseId, "warehouseId"),
      );
      const limit = pageSize(request.pageSize, LIST_STOCK_LEVELS_PAGE);
      const filters = filterHash([request.sku, request.warehouseId]);
      const after = decodePageToken(request.pageToken, filters, ({ key, id }) =>
        key !== "" && isUuid(id) ? { sku: key, warehouseId: id } : undefined,
      );
      const filter = {
        ...(request.sku ? { sku: request.sku } : {}),
        ...(request.warehouseId ? { warehouseId: request.warehouseId } : {}),
      };
      const levels = await store.read().stock.listLevels(filter, after, limit + 1);
      return {
        stockLevels: levels.slice(0, limit).map((level) => stockLevelMessage(level, level.lowStockThreshold)),
        nextPageToken: nextPageToken(
          levels,
          limit,
          (last) => ({ key: last.sku, id: last.warehouseId }),
          filters,
        ),
      };
    },

    async listAdjustments(request, ctx) {
      requireStockReader(ctx);
      check(
        request.sku ? checkSku(request.sku, "sku") : [],
        optionalUuid(request.warehouseId, "warehouseId"),
      );
      const limit = pageSize(request.pageSize, LIST_ADJUSTMENTS_PAGE);
      const filters = filterHash([request.sku, request.warehouseId]);
      const after = decodePageToken(request.pageToken, filters, ({ key, id }) => {
        const createTime = new Date(key);
        return Number.isNaN(createTime.getTime()) || !isUuid(id) ? undefined : { createTime, id };
      });
      const filter = {
        ...(request.sku ? { sku: request.sku } : {}),
        ...(request.warehouseId ? { warehouseId: request.warehouseId } : {}),
      };
      const adjustments = await store.read().stock.listAdjustments(filter, after, limit + 1);
      return {
        adjustments: adjustments.slice(0, limit).map(adjustmentMessage),
        nextPageToken: nextPageToken(
          adjustments,
          limit,
          (last) => ({ key: last.createTime.toISOString(), id: last.id }),
          filters,
        ),
      };
    },
  };
}

function changeFromProto(
  change: { case: "delta"; value: bigint } | { case: "countedQuantity"; value: bigint } | { case: undefined },
): StockChange | undefined {
  if (change.case === "delta") return { kind: "delta", delta: int64(change.value, "delta") };
  if (change.case === "countedQuantity") {
    return { kind: "count", counted: int64(change.value, "countedQuantity") };
  }
  return undefined;
}

/** A retried AdjustStock: the first adjustment, unless the key was used for another stock level. */
function sameAdjustment(first: Adjustment, sku: string, warehouseId: string): Adjustment {
  if (first.sku !== sku || first.warehouseId !== warehouseId) {
    throw alreadyExists(`request id ${first.requestId} was used for an adjustment of another stock level`);
  }
  return first;
}
