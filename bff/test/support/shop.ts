import { createLogger } from "@shopmesh/kit/log";
import { deleteRedisPrefix } from "@shopmesh/kit/testing";
import { createCartApp } from "../../../services/cart/src/app.ts";
import { loadCartConfig } from "../../../services/cart/src/config.ts";
import { createCatalog } from "../../../services/catalog/src/app.ts";
import { loadCatalogConfig } from "../../../services/catalog/src/config.ts";
import { createInventory } from "../../../services/inventory/src/app.ts";
import { loadInventoryConfig } from "../../../services/inventory/src/config.ts";

export const SHOP_SERVICE_SECRET = "e2e-service-token-secret";

export interface RunningShop {
  catalogAddress: string;
  inventoryAddress: string;
  cartAddress: string;
  close(): Promise<void>;
}

/**
 * The real catalog, inventory and cart services, in process, on the test's database and prefixes.
 * close() also deletes the Redis keys they wrote (`<prefix>:cart:*`, `<prefix>:catalog:*`); the
 * streams and the database are the caller's.
 */
export async function startTestShop(options: {
  databaseUrl: string;
  prefix: string;
  identityAddress: string;
}): Promise<RunningShop> {
  const logger = (service: string) => createLogger({ service, level: "silent" });
  const common = {
    DATABASE_URL: options.databaseUrl,
    EVENTS_PREFIX: options.prefix,
    IDENTITY_ADDRESS: options.identityAddress,
    SERVICE_TOKEN_SECRET: SHOP_SERVICE_SECRET,
    METRICS_PORT: "0",
    PORT: "0",
    LOG_LEVEL: "silent",
  };
  // Inventory first: the catalog reads availability from it (the "in stock" filter).
  const inventory = await createInventory(loadInventoryConfig(common), { logger: logger("inventory") });
  const inventoryAddress = `127.0.0.1:${await inventory.listen(0, "127.0.0.1")}`;
  const catalog = await createCatalog(
    loadCatalogConfig({
      ...common,
      CACHE_PREFIX: `${options.prefix}:catalog:`,
      INVENTORY_ADDRESS: inventoryAddress,
    }),
    {
      logger: logger("catalog"),
    },
  );
  const catalogAddress = `127.0.0.1:${await catalog.listen(0, "127.0.0.1")}`;
  const cart = createCartApp(
    loadCartConfig({
      ...common,
      CATALOG_ADDRESS: catalogAddress,
      INVENTORY_ADDRESS: inventoryAddress,
      CART_PREFIX: `${options.prefix}:cart:`,
    }),
    { logger: logger("cart") },
  );
  const cartAddress = `127.0.0.1:${await cart.listen(0, "127.0.0.1")}`;
  return {
    catalogAddress,
    inventoryAddress,
    cartAddress,
    async close() {
      await cart.close(200);
      await catalog.close(200);
      await inventory.close(200);
      // Once stopped, so nothing writes them again: carts, and the catalog's cache and generation.
      await deleteRedisPrefix(`${options.prefix}:cart:`);
      await deleteRedisPrefix(`${options.prefix}:catalog:`);
    },
  };
}
