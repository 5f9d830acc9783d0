import type { Permission } from "@shopmesh/kit/auth";
import { notFound, permissionDenied } from "@shopmesh/kit/errors";
import type { RpcContext } from "@shopmesh/kit/rpc";
import type { Order } from "../domain/order.ts";

/**
 * Ownership rules of orders (order.proto): a customer reaches only their own orders, and someone
 * else's order is NOT_FOUND, never PERMISSION_DENIED, so order ids reveal nothing. Staff with
 * orders.read read every order; admins (orders.write) manage every order; services pass.
 */

function holds(ctx: RpcContext, permission: Permission): boolean {
  const principal = ctx.principal;
  return (
    principal?.kind === "service" || (principal?.kind === "user" && principal.permissions.has(permission))
  );
}

/** True when the caller is the order's customer. */
export function isOwner(ctx: RpcContext, order: Order): boolean {
  return ctx.principal?.kind === "user" && ctx.principal.userId === order.customerId;
}

/** The order when the caller may read it (owner or orders.read); NOT_FOUND otherwise, also when missing. */
export function readable(ctx: RpcContext, order: Order | undefined, id: string): Order {
  if (order && (isOwner(ctx, order) || holds(ctx, "orders.read"))) return order;
  throw notFound(`no order ${id}`);
}

/**
 * The order when the caller may act on it as its customer or as an admin (orders.write). Staff who
 * may only read it get PERMISSION_DENIED; anyone else NOT_FOUND.
 */
export function manageable(ctx: RpcContext, order: Order | undefined, id: string): Order {
  const visible = readable(ctx, order, id);
  if (isOwner(ctx, visible) || holds(ctx, "orders.write")) return visible;
  throw permissionDenied("permission orders.write required");
}

/** True when the caller is staff (or a service) who may read every order. */
export function isStaffReader(ctx: RpcContext): boolean {
  return holds(ctx, "orders.read");
}
