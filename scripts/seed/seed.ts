import { CatalogService, ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { AdjustmentReason, InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { type CallOptions, createRpcClient } from "@shopmesh/kit/rpc";
import type { DemoCatalog, DemoCategory } from "./generate.ts";
import { mapBounded } from "./pool.ts";

export interface SeedOptions {
  /** host:port of identity, catalog and inventory. */
  identityAddress: string;
  catalogAddress: string;
  inventoryAddress: string;
  /** The demo admin, whose token every write carries. */
  admin: { email: string; password: string };
  catalog: DemoCatalog;
  /** False leaves the stock out (a benchmark of catalog reads does not need it); default true. */
  stock?: boolean;
  /** Calls in flight (default 8). */
  concurrency?: number;
  log?: (message: string) => void;
}

export interface SeedResult {
  /** False when the catalog already held categories or products, so nothing was written. */
  seeded: boolean;
  categories: number;
  products: number;
  /** Stock adjustments made (one per SKU and warehouse of the demo stock). */
  stockAdjustments: number;
  durationMs: number;
}

/**
 * Loads a demo catalog into the running services over gRPC, as the demo admin: the category tree
 * (parents first), the warehouses (reused by code when they exist), the products with their
 * variants, then the stock. Does nothing when the catalog already has categories or products of
 * any state, so running it twice, or against a shop in use, changes nothing.
 */
export async function seedDemoCatalog(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 8;
  const log = options.log ?? (() => {});
  const timeoutMs = 30_000;
  const identity = createRpcClient(IdentityService, { address: options.identityAddress, timeoutMs });
  const catalog = createRpcClient(CatalogService, { address: options.catalogAddress, timeoutMs });
  const inventory = createRpcClient(InventoryService, { address: options.inventoryAddress, timeoutMs });
  const nothing = (): SeedResult => ({
    seeded: false,
    categories: 0,
    products: 0,
    stockAdjustments: 0,
    durationMs: performance.now() - started,
  });
  try {
    const { tokens } = await identity.login({
      email: options.admin.email,
      password: options.admin.password,
      client: { userAgent: "shopmesh-seed" },
    });
    if (!tokens?.accessToken) throw new Error("login as the demo admin returned no access token");
    const auth: CallOptions = { call: { authorization: `Bearer ${tokens.accessToken}` } };

    const existing = await catalog.listCategories({}, auth);
    if (existing.categories.length > 0) {
      log(`catalog already has ${existing.categories.length} categories; not seeding`);
      return nothing();
    }
    const anyProduct = await catalog.searchProducts(
      { pageSize: 1, states: [ProductState.DRAFT, ProductState.ACTIVE, ProductState.ARCHIVED] },
      auth,
    );
    if (anyProduct.totalSize > 0 || anyProduct.products.length > 0) {
      log(`catalog already has products; not seeding`);
      return nothing();
    }

    const categoryIds = new Map<string, string>();
    for (const level of byDepth(options.catalog.categories)) {
      await mapBounded(level, concurrency, async (category) => {
        const parentId = category.parentSlug ? categoryIds.get(category.parentSlug) : "";
        if (parentId === undefined)
          throw new Error(`category ${category.slug}: unknown parent ${category.parentSlug}`);
        const { category: created } = await catalog.createCategory(
          {
            category: {
              parentId,
              name: category.name,
              slug: category.slug,
              description: category.description,
              position: category.position,
            },
          },
          auth,
        );
        categoryIds.set(category.slug, created?.id ?? "");
      });
    }

    const { warehouses: present } = await inventory.listWarehouses(
      { pageSize: 200, showInactive: true },
      auth,
    );
    const warehouseIds = new Map(present.map((warehouse) => [warehouse.code, warehouse.id]));
    for (const warehouse of options.catalog.warehouses) {
      if (warehouseIds.has(warehouse.code)) continue;
      const { warehouse: created } = await inventory.createWarehouse(
        { warehouse: { ...warehouse, active: true } },
        auth,
      );
      warehouseIds.set(warehouse.code, created?.id ?? "");
    }

    const currency = options.catalog.currency;
    let done = 0;
    const total = options.catalog.products.length;
    await mapBounded(options.catalog.products, concurrency, async (product) => {
      await catalog.createProduct(
        {
          product: {
            slug: product.slug,
            name: product.name,
            description: product.description,
            state: ProductState.ACTIVE,
            categoryIds: product.categorySlugs.map((slug) => categoryIds.get(slug) ?? ""),
            attributes: product.attributes,
            images: product.images,
            variants: product.variants.map((variant) => ({
              sku: variant.sku,
              optionValues: variant.optionValues,
              price: { amountMinor: BigInt(variant.priceMinor), currency },
              weightGrams: variant.weightGrams,
            })),
          },
        },
        auth,
      );
      done++;
      if (done % 1000 === 0 && done < total) log(`${done} of ${total} products`);
    });

    const productsDone = performance.now();
    const stockLevels = options.stock === false ? [] : options.catalog.stock;
    log(`${total} products in ${((productsDone - started) / 1000).toFixed(1)} s`);
    await mapBounded(stockLevels, concurrency, async (stock) => {
      const warehouseId = warehouseIds.get(stock.warehouseCode);
      if (!warehouseId) throw new Error(`stock of ${stock.sku}: unknown warehouse ${stock.warehouseCode}`);
      await inventory.adjustStock(
        {
          sku: stock.sku,
          warehouseId,
          // an empty shelf is a count of zero: the SKU gets a stock level all the same
          ...(stock.quantity > 0
            ? { reason: AdjustmentReason.RECEIVED, change: { case: "delta", value: BigInt(stock.quantity) } }
            : { reason: AdjustmentReason.COUNTED, change: { case: "countedQuantity", value: 0n } }),
          note: "demo data",
          requestId: `seed:${stock.sku}:${stock.warehouseCode}`,
        },
        auth,
      );
    });

    log(`${stockLevels.length} stock levels in ${((performance.now() - productsDone) / 1000).toFixed(1)} s`);
    return {
      seeded: true,
      categories: options.catalog.categories.length,
      products: total,
      stockAdjustments: stockLevels.length,
      durationMs: performance.now() - started,
    };
  } finally {
    identity.close();
    catalog.close();
    inventory.close();
  }
}

/** Categories grouped by depth, so every parent exists before its children are created. */
function byDepth(categories: readonly DemoCategory[]): DemoCategory[][] {
  const depthOf = new Map<string, number>();
  const levels: DemoCategory[][] = [];
  for (const category of categories) {
    const depth = category.parentSlug ? (depthOf.get(category.parentSlug) ?? -1) + 1 : 0;
    if (depth === 0 && category.parentSlug) {
      throw new Error(`category ${category.slug} comes before its parent ${category.parentSlug}`);
    }
    depthOf.set(category.slug, depth);
    const level = levels[depth] ?? [];
    level.push(category);
    levels[depth] = level;
  }
  return levels;
}
