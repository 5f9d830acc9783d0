import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Address } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import {
  type Adjustment,
  AdjustmentReason,
  type StockLevel,
  type Warehouse,
  type WarehouseSchema as WarehouseMessage,
} from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import type { z } from "zod";
import { isoTime } from "../identity/mappers.ts";
import type {
  AdjustmentSchema,
  REASONS,
  StockLevelSchema,
  WarehouseCreateSchema,
  WarehousePatchSchema,
  WarehouseSchema,
} from "./schemas.ts";

type ReasonName = (typeof REASONS)[number];

export const REASON_VALUES: Record<ReasonName, AdjustmentReason> = {
  received: AdjustmentReason.RECEIVED,
  damaged: AdjustmentReason.DAMAGED,
  counted: AdjustmentReason.COUNTED,
  returned: AdjustmentReason.RETURNED,
  correction: AdjustmentReason.CORRECTION,
};
const REASON_NAMES = Object.fromEntries(
  Object.entries(REASON_VALUES).map(([name, value]) => [value, name]),
) as Record<AdjustmentReason, ReasonName>;

function addressJson(address: Address | undefined) {
  if (!address) return null;
  return {
    recipient: address.recipient,
    line1: address.line1,
    ...(address.line2 ? { line2: address.line2 } : {}),
    city: address.city,
    ...(address.region ? { region: address.region } : {}),
    postalCode: address.postalCode,
    countryCode: address.countryCode,
    ...(address.phone ? { phone: address.phone } : {}),
  };
}

export function warehouseJson(warehouse: Warehouse | undefined): z.infer<typeof WarehouseSchema> {
  if (!warehouse) throw new Error("inventory answered without a warehouse");
  return {
    id: warehouse.id,
    code: warehouse.code,
    name: warehouse.name,
    address: addressJson(warehouse.address),
    priority: warehouse.priority,
    active: warehouse.active,
    createTime: isoTime(warehouse.createTime),
    updateTime: isoTime(warehouse.updateTime),
  };
}

export function warehouseMessage(
  body: z.infer<typeof WarehouseCreateSchema> | z.infer<typeof WarehousePatchSchema>,
  id = "",
): MessageInitShape<typeof WarehouseMessage> {
  return {
    id,
    code: body.code ?? "",
    name: body.name ?? "",
    ...(body.address ? { address: body.address } : {}),
    priority: body.priority ?? 0,
    active: body.active ?? false,
  };
}

/** JSON fields of a warehouse PATCH → update-mask paths (the address is replaced whole). */
export function warehouseMaskPaths(body: z.infer<typeof WarehousePatchSchema>): string[] {
  return (["code", "name", "address", "priority", "active"] as const).filter(
    (key) => body[key] !== undefined,
  );
}

export function stockLevelJson(level: StockLevel | undefined): z.infer<typeof StockLevelSchema> {
  if (!level) throw new Error("inventory answered without a stock level");
  return {
    sku: level.sku,
    warehouseId: level.warehouseId,
    onHand: Number(level.onHand),
    reserved: Number(level.reserved),
    available: Number(level.available),
    lowStockThreshold: Number(level.lowStockThreshold),
    updateTime: isoTime(level.updateTime),
  };
}

export function adjustmentJson(adjustment: Adjustment | undefined): z.infer<typeof AdjustmentSchema> {
  if (!adjustment) throw new Error("inventory answered without an adjustment");
  return {
    id: adjustment.id,
    sku: adjustment.sku,
    warehouseId: adjustment.warehouseId,
    delta: Number(adjustment.delta),
    reason: REASON_NAMES[adjustment.reason] ?? "correction",
    note: adjustment.note,
    actor: adjustment.actor,
    onHandAfter: Number(adjustment.onHandAfter),
    createTime: isoTime(adjustment.createTime),
  };
}
