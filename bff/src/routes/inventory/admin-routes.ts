import { createRoute, type z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import {
  adjustmentJson,
  REASON_VALUES,
  stockLevelJson,
  warehouseJson,
  warehouseMaskPaths,
  warehouseMessage,
} from "./mappers.ts";
import {
  AdjustmentListSchema,
  AdjustStockResultSchema,
  AdjustStockSchema,
  SkuParamSchema,
  StockLevelListSchema,
  StockQuerySchema,
  ThresholdResultSchema,
  ThresholdSchema,
  WarehouseCreateSchema,
  WarehouseIdParamSchema,
  WarehouseListQuerySchema,
  WarehouseListSchema,
  WarehousePatchSchema,
  WarehouseSchema,
} from "./schemas.ts";

const json = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});
const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * Inventory on the admin surface (`/admin/v1/warehouses...`, `/admin/v1/stock...`). Reads are
 * open to all staff (support looks up stock for customers); writes need inventory.write, here
 * and again in the inventory service.
 */
export const adminInventoryRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Inventory (admin)";
  const security = bearerSecurity;
  const write = requirePermission("inventory.write");
  app.on(["POST", "PATCH", "PUT", "DELETE"], ["/warehouses", "/warehouses/*", "/stock/*"], write);

  app.openapi(
    createRoute({
      method: "get",
      path: "/warehouses",
      tags: [tag],
      summary: "List warehouses",
      description: "In allocation order (priority, then code). Inactive ones only with showInactive=true.",
      security,
      request: { query: WarehouseListQuerySchema },
      responses: { 200: ok("A page of warehouses", WarehouseListSchema), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.inventory.listWarehouses(
        {
          showInactive: query.showInactive ?? false,
          pageSize: query.pageSize ?? 0,
          pageToken: query.pageToken ?? "",
        },
        { call: callContext(c) },
      );
      return c.json(
        {
          warehouses: answer.warehouses.map(warehouseJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/warehouses",
      tags: [tag],
      summary: "Create a warehouse",
      description: "409 when the code is taken. Active unless `active: false`.",
      security,
      request: { body: json(WarehouseCreateSchema) },
      responses: { 201: ok("The warehouse", WarehouseSchema), ...problemResponses(400, 401, 403, 409, 422) },
    }),
    async (c) => {
      const { warehouse } = await deps.inventory.createWarehouse(
        { warehouse: warehouseMessage(c.req.valid("json")) },
        { call: callContext(c) },
      );
      return c.json(warehouseJson(warehouse), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/warehouses/{id}",
      tags: [tag],
      summary: "Change some fields of a warehouse",
      description: "Only the fields present change; an address is replaced whole.",
      security,
      request: { params: WarehouseIdParamSchema, body: json(WarehousePatchSchema) },
      responses: {
        200: ok("The warehouse", WarehouseSchema),
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const paths = warehouseMaskPaths(body);
      if (paths.length === 0) {
        throw new ProblemError({
          status: 400,
          code: "VALIDATION_FAILED",
          detail: "The request changes nothing: name at least one field.",
          errors: [{ field: "body", message: "must set one of code, name, address, priority, active" }],
        });
      }
      const { warehouse } = await deps.inventory.updateWarehouse(
        { warehouse: warehouseMessage(body, c.req.valid("param").id), updateMask: { paths } },
        { call: callContext(c) },
      );
      return c.json(warehouseJson(warehouse), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/stock/adjustments",
      tags: [tag],
      summary: "Adjust stock by hand",
      description:
        "received/returned add, damaged removes, correction fixes either way (`delta`); counted sets " +
        "on-hand to `countedQuantity`. 422 when on-hand would fall below the reserved units.",
      security,
      request: { body: json(AdjustStockSchema) },
      responses: {
        201: ok("The recorded adjustment and the new stock level", AdjustStockResultSchema),
        ...problemResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const answer = await deps.inventory.adjustStock(
        {
          sku: body.sku,
          warehouseId: body.warehouseId,
          reason: REASON_VALUES[body.reason],
          change:
            body.reason === "counted"
              ? { case: "countedQuantity", value: BigInt(body.countedQuantity ?? 0) }
              : { case: "delta", value: BigInt(body.delta ?? 0) },
          note: body.note ?? "",
          requestId: body.requestId ?? "",
        },
        { call: callContext(c) },
      );
      return c.json(
        { adjustment: adjustmentJson(answer.adjustment), stockLevel: stockLevelJson(answer.stockLevel) },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/stock/adjustments",
      tags: [tag],
      summary: "Recorded adjustments, newest first",
      security,
      request: { query: StockQuerySchema },
      responses: {
        200: ok("A page of adjustments", AdjustmentListSchema),
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.inventory.listAdjustments(
        {
          sku: query.sku ?? "",
          warehouseId: query.warehouseId ?? "",
          pageSize: query.pageSize ?? 0,
          pageToken: query.pageToken ?? "",
        },
        { call: callContext(c) },
      );
      return c.json(
        {
          adjustments: answer.adjustments.map(adjustmentJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/stock/levels",
      tags: [tag],
      summary: "Stock levels",
      description: "Of a SKU, of a warehouse, or all, by SKU and warehouse.",
      security,
      request: { query: StockQuerySchema },
      responses: {
        200: ok("A page of stock levels", StockLevelListSchema),
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.inventory.listStockLevels(
        {
          sku: query.sku ?? "",
          warehouseId: query.warehouseId ?? "",
          pageSize: query.pageSize ?? 0,
          pageToken: query.pageToken ?? "",
        },
        { call: callContext(c) },
      );
      return c.json(
        {
          stockLevels: answer.stockLevels.map(stockLevelJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/stock/thresholds/{sku}",
      tags: [tag],
      summary: "Set a SKU's low-stock threshold",
      description: "LowStock is announced whenever availability falls below it (0 turns it off).",
      security,
      request: { params: SkuParamSchema, body: json(ThresholdSchema) },
      responses: {
        200: ok("The threshold and availability", ThresholdResultSchema),
        ...problemResponses(400, 401, 403, 422),
      },
    }),
    async (c) => {
      const answer = await deps.inventory.setLowStockThreshold(
        { sku: c.req.valid("param").sku, lowStockThreshold: BigInt(c.req.valid("json").lowStockThreshold) },
        { call: callContext(c) },
      );
      return c.json(
        {
          sku: answer.sku,
          lowStockThreshold: Number(answer.lowStockThreshold),
          available: Number(answer.available),
          lowStock: answer.lowStock,
        },
        200,
      );
    },
  );
};
