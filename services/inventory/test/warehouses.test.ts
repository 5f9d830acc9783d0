import {
  WarehouseCreatedSchema,
  WarehouseUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { createHealthClient, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, startInventory, type TestInventory } from "./support.ts";

let t: TestInventory;

beforeAll(async () => {
  t = await startInventory();
});

afterAll(async () => {
  await t?.stop();
});

const ADDRESS = { line1: "Hafenstraße 5", city: "Hamburg", postalCode: "20095", countryCode: "de" };

describe("CreateWarehouse", () => {
  it("creates a warehouse with a normalised code and records WarehouseCreated", async () => {
    const { warehouse } = await t.client.createWarehouse(
      { warehouse: { code: " ham-1 ", name: " Hamburg ", address: ADDRESS, priority: 3, active: true } },
      t.admin,
    );
    expect(warehouse).toMatchObject({
      code: "HAM-1",
      name: "Hamburg",
      priority: 3,
      active: true,
      address: expect.objectContaining({ countryCode: "DE", city: "Hamburg" }),
    });
    const [event] = await t.events(WarehouseCreatedSchema, warehouse!.id);
    expect(event?.warehouse?.code).toBe("HAM-1");
    expect((await t.client.getWarehouse({ warehouseId: warehouse!.id }, t.support)).warehouse).toEqual(
      warehouse,
    );
  });

  it("refuses a taken code with ALREADY_EXISTS", async () => {
    await t.client.createWarehouse({ warehouse: { code: "DUP", name: "One", address: ADDRESS } }, t.admin);
    const error = await failure(
      t.client.createWarehouse({ warehouse: { code: "dup", name: "Two", address: ADDRESS } }, t.admin),
    );
    expect(error.code).toBe(Code.AlreadyExists);
  });

  it("names every bad field", async () => {
    const error = await failure(
      t.client.createWarehouse(
        { warehouse: { code: "x", name: "", priority: 5000, address: { countryCode: "Germany" } } },
        t.admin,
      ),
    );
    expect(fieldViolations(error).map((v) => v.field)).toEqual([
      "warehouse.code",
      "warehouse.name",
      "warehouse.address.line1",
      "warehouse.address.city",
      "warehouse.address.postalCode",
      "warehouse.address.countryCode",
      "warehouse.priority",
    ]);
    expect(fieldViolations(await failure(t.client.createWarehouse({}, t.admin)))).toEqual([
      { field: "warehouse", description: "is required" },
    ]);
  });

  it("is for inventory managers only", async () => {
    const request = { warehouse: { code: "NOPE", name: "Nope", address: ADDRESS } };
    expect((await failure(t.client.createWarehouse(request))).code).toBe(Code.Unauthenticated);
    expect((await failure(t.client.createWarehouse(request, t.support))).code).toBe(Code.PermissionDenied);
  });
});

describe("UpdateWarehouse", () => {
  it("changes only the masked fields and records which changed", async () => {
    const created = await t.warehouse({ name: "Before" });
    const { warehouse } = await t.client.updateWarehouse(
      {
        warehouse: { id: created.id, name: "After", priority: 999, address: { city: "Köln" } },
        updateMask: { paths: ["name", "address.city"] },
      },
      t.admin,
    );
    expect(warehouse).toMatchObject({ name: "After", priority: created.priority, code: created.code });
    expect(warehouse!.address).toMatchObject({ city: "Köln", line1: created.address!.line1 });
    const [event] = await t.events(WarehouseUpdatedSchema, created.id);
    expect(event?.changedFields).toEqual(["name", "address.city"]);

    const unknown = await failure(
      t.client.updateWarehouse({ warehouse: { id: created.id }, updateMask: { paths: ["id"] } }, t.admin),
    );
    expect(fieldViolations(unknown).map((v) => v.field)).toEqual(["updateMask"]);
    const missing = await failure(
      t.client.updateWarehouse(
        { warehouse: { id: crypto.randomUUID(), name: "x" }, updateMask: { paths: ["name"] } },
        t.admin,
      ),
    );
    expect(missing.code).toBe(Code.NotFound);
  });
});

describe("ListWarehouses", () => {
  it("lists active warehouses in allocation order, inactive ones on request, page by page", async () => {
    const late = await t.warehouse({ priority: 900, code: "ZZ-LATE" });
    const early = await t.warehouse({ priority: 0, code: "AA-EARLY" });
    const off = await t.warehouse({ priority: 500, active: false });
    const ids: string[] = [];
    let pageToken = "";
    do {
      const page = await t.client.listWarehouses({ pageSize: 2, pageToken }, t.support);
      ids.push(...page.warehouses.map((w) => w.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(ids[0]).toBe(early.id);
    expect(ids.at(-1)).toBe(late.id);
    expect(ids).not.toContain(off.id);
    const all = await t.client.listWarehouses({ showInactive: true, pageSize: 200 }, t.admin);
    expect(all.warehouses.map((w) => w.id)).toContain(off.id);
    expect((await failure(t.client.listWarehouses({}, t.customer))).code).toBe(Code.PermissionDenied);
  });
});

describe("health", () => {
  it("serves grpc.health.v1: SERVING for the server and the inventory service", async () => {
    const health = createHealthClient(t.address);
    try {
      expect(await health.check("")).toBe("SERVING");
      expect(await health.check("shopmesh.inventory.v1.InventoryService")).toBe("SERVING");
    } finally {
      health.close();
    }
  });
});
