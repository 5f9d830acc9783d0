import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import {
  AdjustmentReason,
  InventoryService,
  type Warehouse,
} from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  bearer,
  createTestDatabase,
  createTestSigningKeys,
  deleteStreams,
  type TestDatabase,
  testPrefix,
} from "@shopmesh/kit/testing";
import { createInventory, type Inventory } from "../src/app.ts";
import { loadInventoryConfig } from "../src/config.ts";

export const SERVICE_SECRET = "inventory-test-service-secret";

/** An inventory service running in-process on a random port, on its own database and stream prefix. */
export interface TestInventory {
  inventory: Inventory;
  address: string;
  prefix: string;
  /** Calls without a token (public calls). */
  client: RpcClient<typeof InventoryService>;
  /** Calls as the service "order" (service token), as the checkout saga does. */
  order: RpcClient<typeof InventoryService>;
  /** Call options of signed-in users: an admin (inventory.write), support (orders.read), a customer. */
  admin: CallOptions;
  support: CallOptions;
  customer: CallOptions;
  /** The user id in the admin's token. */
  adminId: string;
  /** Creates an active warehouse (as the admin) with a unique code. */
  warehouse(init?: Partial<Pick<Warehouse, "code" | "name" | "priority" | "active">>): Promise<Warehouse>;
  /** Receives `units` of `sku` into a warehouse (as the admin). */
  receive(sku: string, warehouseId: string, units: number): Promise<void>;
  /** Events in the outbox of one schema, optionally about one aggregate, oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The sweeper's interval; default 60 s (tests that need it sweep by hand or set it low). */
  sweepMs?: number;
}

let codes = 0;

export async function startInventory(options: StartOptions = {}): Promise<TestInventory> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const keys = await createTestSigningKeys("inventory-test-key");
  const config = loadInventoryConfig({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    RESERVATION_SWEEP_MS: String(options.sweepMs ?? 60_000),
  });
  let inventory: Inventory;
  try {
    inventory = await createInventory(config, {
      logger: createLogger({ service: "inventory", level: "silent" }),
      jwks: async () => keys.jwks,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const port = await inventory.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(InventoryService, { address, timeoutMs: 20_000 });
  const order = createRpcClient(InventoryService, {
    address,
    timeoutMs: 20_000,
    serviceToken: createServiceToken({ service: "order", secret: SERVICE_SECRET }),
  });
  const adminId = "0190a000-0000-7000-8000-00000000a001";
  const admin = bearer(await keys.sign(adminId, ["admin"]));
  const support = bearer(await keys.sign("0190a000-0000-7000-8000-00000000a002", ["support"]));
  const customer = bearer(await keys.sign("0190a000-0000-7000-8000-00000000a003", ["customer"]));

  return {
    inventory,
    address,
    prefix,
    client,
    order,
    admin,
    support,
    customer,
    adminId,
    async warehouse(init = {}) {
      codes++;
      const { warehouse } = await client.createWarehouse(
        {
          warehouse: {
            code: `WH-${codes}`,
            name: `Warehouse ${codes}`,
            address: { line1: "Lagerstraße 1", city: "Berlin", postalCode: "10115", countryCode: "DE" },
            priority: codes,
            active: true,
            ...init,
          },
        },
        admin,
      );
      return warehouse!;
    },
    async receive(sku, warehouseId, units) {
      await client.adjustStock(
        {
          sku,
          warehouseId,
          reason: AdjustmentReason.RECEIVED,
          change: { case: "delta", value: BigInt(units) },
        },
        admin,
      );
    },
    async events(schema, aggregateId) {
      const rows = await inventory.db.execute<{ data: Uint8Array }>(
        `select data from outbox_events where type = ?${aggregateId ? " and aggregate_id = ?" : ""} order by id`,
        aggregateId ? [schema.typeName, aggregateId] : [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
    },
    async stop() {
      client.close();
      order.close();
      await inventory.close(1_000);
      await deleteStreams(prefix).catch(() => undefined);
      await database.drop();
    },
  };
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";

/** A fresh UUID for an order id. */
export function orderId(): string {
  return crypto.randomUUID();
}

export { Code };
