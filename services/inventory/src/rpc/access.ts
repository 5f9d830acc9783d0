import type { Permission } from "@shopmesh/kit/auth";
import { permissionDenied } from "@shopmesh/kit/errors";
import type { RpcContext } from "@shopmesh/kit/rpc";

/** Staff who may read stock: whoever manages it, and support answering questions about orders. */
export const STOCK_READ_PERMISSIONS: readonly Permission[] = ["inventory.write", "orders.read"];

/**
 * The (staff) rule of inventory's reads: a service, or a user with any of STOCK_READ_PERMISSIONS.
 * The kit's access rules take one permission, so these calls are "authenticated" and check here.
 */
export function requireStockReader(ctx: RpcContext): void {
  const principal = ctx.principal;
  if (principal?.kind === "service") return;
  if (principal && STOCK_READ_PERMISSIONS.some((permission) => principal.permissions.has(permission))) return;
  throw permissionDenied(`permission ${STOCK_READ_PERMISSIONS.join(" or ")} required`);
}
