import { once } from "node:events";
import { CatalogService, ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createRedis } from "@shopmesh/kit/redis";
import { type CallOptions, createRpcClient } from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningIdentity, startTestIdentity } from "../../../bff/test/support/identity.ts";
import { type RunningShop, startTestShop } from "../../../bff/test/support/shop.ts";
import { type DemoCatalog, generateDemoCatalog } from "../generate.ts";
import { seedDemoCatalog } from "../seed.ts";

const ADMIN = { email: "seed-admin@shopmesh.test", password: "seed-admin-password-1" };

let database: TestDatabase;
let prefix: string;
let identity: RunningIdentity;
let shop: RunningShop;
let demo: DemoCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  prefix = testPrefix();
  identity = await startTestIdentity({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    SHOPMESH_ADMIN_EMAIL: ADMIN.email,
    SHOPMESH_ADMIN_PASSWORD: ADMIN.password,
  });
  shop = await startTestShop({ databaseUrl: database.url, prefix, identityAddress: identity.address });
  demo = generateDemoCatalog({ products: 30, seed: 42 });
}, 60_000);

afterAll(async () => {
  await shop?.close();
  await identity?.close();
  await deleteStreams(prefix).catch(() => undefined);
  const redis = createRedis({ url: "redis://127.0.0.1:6379" });
  if (redis.status !== "ready") await once(redis, "ready");
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
  await database?.drop();
});

function targets() {
  return {
    identityAddress: identity.address,
    catalogAddress: shop.catalogAddress,
    inventoryAddress: shop.inventoryAddress,
    admin: ADMIN,
    catalog: demo,
  };
}

async function adminAuth(): Promise<CallOptions> {
  const client = createRpcClient(IdentityService, { address: identity.address });
  try {
    const { tokens } = await client.login({ email: ADMIN.email, password: ADMIN.password });
    return { call: { authorization: `Bearer ${tokens?.accessToken}` } };
  } finally {
    client.close();
  }
}

describe("seedDemoCatalog against the real services", () => {
  it("loads the category tree, active products, warehouses and stock into an empty shop", async () => {
    const result = await seedDemoCatalog(targets());
    expect(result).toMatchObject({
      seeded: true,
      categories: demo.categories.length,
      products: 30,
      stockAdjustments: demo.stock.length,
    });

    const catalog = createRpcClient(CatalogService, { address: shop.catalogAddress });
    const inventory = createRpcClient(InventoryService, { address: shop.inventoryAddress });
    try {
      const { categories } = await catalog.listCategories({});
      expect(categories).toHaveLength(demo.categories.length);
      expect(Math.max(...categories.map((c) => c.depth))).toBe(2);
      const top = categories.filter((c) => c.parentId === "");
      expect(top.map((c) => c.slug).sort()).toEqual(
        demo.categories
          .filter((c) => c.parentSlug === "")
          .map((c) => c.slug)
          .sort(),
      );
      // products are counted in their leaf and every category above it
      expect(top.reduce((sum, c) => sum + c.productCount, 0)).toBe(30);

      const search = await catalog.searchProducts({ pageSize: 1 });
      expect(search.totalSize).toBe(30);

      const sample = demo.products[7];
      const { product } = await catalog.getProduct({ slug: sample?.slug ?? "" });
      expect(product?.state).toBe(ProductState.ACTIVE);
      expect(product?.variants.map((v) => v.sku)).toEqual(sample?.variants.map((v) => v.sku));
      expect(product?.variants[0]?.price).toMatchObject({
        amountMinor: BigInt(sample?.variants[0]?.priceMinor ?? -1),
        currency: "EUR",
      });

      const auth = await adminAuth();
      const { warehouses } = await inventory.listWarehouses({ showInactive: true }, auth);
      expect(warehouses.map((w) => [w.code, w.priority, w.active]).sort()).toEqual([
        ["HAM-1", 1, true],
        ["RTM-1", 2, true],
      ]);
      const skus = demo.products.flatMap((p) => p.variants.map((v) => v.sku));
      const { items } = await inventory.getAvailability({ skus }, auth);
      const expected = new Map<string, number>();
      for (const entry of demo.stock)
        expected.set(entry.sku, (expected.get(entry.sku) ?? 0) + entry.quantity);
      expect(new Map(items.map((item) => [item.sku, Number(item.available)]))).toEqual(expected);
    } finally {
      catalog.close();
      inventory.close();
    }
  });

  it("seeds nothing the second time, leaving the catalog as it was", async () => {
    const again = await seedDemoCatalog(targets());
    expect(again).toMatchObject({ seeded: false, categories: 0, products: 0, stockAdjustments: 0 });
    const catalog = createRpcClient(CatalogService, { address: shop.catalogAddress });
    try {
      expect((await catalog.searchProducts({ pageSize: 1 })).totalSize).toBe(30);
      expect((await catalog.listCategories({})).categories).toHaveLength(demo.categories.length);
    } finally {
      catalog.close();
    }
  });
});
