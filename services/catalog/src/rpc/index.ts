import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { categoryHandlers } from "./categories.ts";
import type { CatalogDeps } from "./deps.ts";
import { importHandlers } from "./import.ts";
import { productHandlers } from "./products.ts";
import { searchHandlers } from "./search.ts";
import { variantHandlers } from "./variants.ts";

export type { CatalogDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.catalog.v1.CatalogService. Each maps its request to domain calls and
 * store operations and the result back to proto; failures map to statuses in errors.ts.
 */
export function createCatalogHandlers(deps: CatalogDeps): ServiceHandlers<typeof CatalogService> {
  return withErrorMapping(CatalogService, {
    ...productHandlers(deps),
    ...variantHandlers(deps),
    ...searchHandlers(deps),
    ...categoryHandlers(deps),
    ...importHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say: reads are public (what they show depends on the
 * caller, see access.ts); writes, imports and exports need catalog.write.
 */
export const CATALOG_ACCESS_RULES: AccessRules<typeof CatalogService> = {
  getProduct: "public",
  searchProducts: "public",
  suggestProducts: "public",
  createProduct: { permission: "catalog.write" },
  updateProduct: { permission: "catalog.write" },
  archiveProduct: { permission: "catalog.write" },
  addVariant: { permission: "catalog.write" },
  updateVariant: { permission: "catalog.write" },
  removeVariant: { permission: "catalog.write" },
  batchGetVariants: "public",
  listCategories: "public",
  createCategory: { permission: "catalog.write" },
  updateCategory: { permission: "catalog.write" },
  deleteCategory: { permission: "catalog.write" },
  exportProducts: { permission: "catalog.write" },
  importProducts: { permission: "catalog.write" },
};
