import { z } from "@hono/zod-openapi";
import { PostalAddressSchema } from "../identity/schemas.ts";

/** Schemas of the inventory area (admin surface). */

const time = z.string().openapi({ format: "date-time" });
const uuid = z.uuid();
// Inventory's SKU rule: 1-64 characters without whitespace, control characters or commas.
const sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\s,\p{Cc}]+$/u, "must be 1-64 characters without spaces or commas")
  .openapi({ example: "TEE-BLK-M" });
const quantity = z.number().int().min(-1_000_000_000).max(1_000_000_000);

export const WarehouseSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    address: PostalAddressSchema.nullable(),
    priority: z.number().int(),
    active: z.boolean(),
    createTime: time,
    updateTime: time,
  })
  .openapi("Warehouse");

const warehouseFields = {
  code: z
    .string()
    .regex(/^[A-Z0-9-]{2,32}$/, "must be 2-32 upper-case letters, digits and '-'")
    .openapi({ example: "BER-1" }),
  name: z.string().trim().min(1).max(200),
  address: PostalAddressSchema.strict(),
  priority: z.number().int().min(0).max(1000).optional(),
  active: z.boolean().optional(),
};
export const WarehouseCreateSchema = z
  .object({ ...warehouseFields, active: z.boolean().default(true) })
  .strict()
  .openapi("WarehouseCreate");
export const WarehousePatchSchema = z.object(warehouseFields).partial().strict().openapi("WarehousePatch");

export const WarehouseListQuerySchema = z.object({
  showInactive: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
  pageToken: z.string().max(1000).optional(),
});
export const WarehouseListSchema = z
  .object({ warehouses: z.array(WarehouseSchema), nextPageToken: z.string().optional() })
  .openapi("WarehouseList");

export const StockLevelSchema = z
  .object({
    sku: z.string(),
    warehouseId: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    updateTime: time,
  })
  .openapi("StockLevel");
export const StockLevelListSchema = z
  .object({ stockLevels: z.array(StockLevelSchema), nextPageToken: z.string().optional() })
  .openapi("StockLevelList");
export const StockQuerySchema = z.object({
  sku: sku.optional(),
  warehouseId: uuid.optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
  pageToken: z.string().max(1000).optional(),
});

export const REASONS = ["received", "damaged", "counted", "returned", "correction"] as const;

export const AdjustmentSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    warehouseId: z.string(),
    delta: z.number().int(),
    reason: z.enum(REASONS),
    note: z.string(),
    actor: z.string(),
    onHandAfter: z.number().int(),
    createTime: time,
  })
  .openapi("Adjustment");
export const AdjustmentListSchema = z
  .object({ adjustments: z.array(AdjustmentSchema), nextPageToken: z.string().optional() })
  .openapi("AdjustmentList");

export const AdjustStockSchema = z
  .object({
    sku,
    warehouseId: uuid,
    reason: z.enum(REASONS).openapi({ description: "counted takes countedQuantity; the others delta" }),
    delta: quantity.optional().openapi({ description: "received/returned > 0, damaged < 0, correction ≠ 0" }),
    countedQuantity: quantity.min(0).optional(),
    note: z.string().max(500).optional(),
    requestId: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "Idempotency key: a retry with it changes nothing" }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.reason === "counted") {
      if (body.countedQuantity === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["countedQuantity"],
          message: "is required for reason counted",
        });
      if (body.delta !== undefined)
        ctx.addIssue({ code: "custom", path: ["delta"], message: "is not allowed for reason counted" });
    } else {
      if (body.delta === undefined)
        ctx.addIssue({ code: "custom", path: ["delta"], message: `is required for reason ${body.reason}` });
      if (body.countedQuantity !== undefined)
        ctx.addIssue({ code: "custom", path: ["countedQuantity"], message: "is only for reason counted" });
    }
  })
  .openapi("AdjustStock");
export const AdjustStockResultSchema = z
  .object({ adjustment: AdjustmentSchema, stockLevel: StockLevelSchema })
  .openapi("AdjustStockResult");

export const SkuParamSchema = z.object({ sku: sku.openapi({ param: { name: "sku", in: "path" } }) });
export const WarehouseIdParamSchema = z.object({ id: uuid.openapi({ param: { name: "id", in: "path" } }) });
export const ThresholdSchema = z
  .object({
    lowStockThreshold: z.number().int().min(0).max(1_000_000_000).openapi({ description: "0 turns it off" }),
  })
  .strict()
  .openapi("LowStockThresholdInput");
export const ThresholdResultSchema = z
  .object({
    sku: z.string(),
    lowStockThreshold: z.number().int(),
    available: z.number().int(),
    lowStock: z.boolean(),
  })
  .openapi("LowStockThreshold");
