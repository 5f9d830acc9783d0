import { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { afterSaleHandlers } from "./after-sale.ts";
import { checkoutHandlers } from "./checkout.ts";
import type { OrderDeps } from "./deps.ts";
import { queryHandlers } from "./queries.ts";
import { returnHandlers } from "./returns.ts";

export type { OrderDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.order.v1.OrderService. Each maps its request to domain calls and store
 * operations and the result back to proto; failures map to statuses in the kit's toRpcError.
 */
export function createOrderHandlers(deps: OrderDeps): ServiceHandlers<typeof OrderService> {
  return withErrorMapping(OrderService, {
    ...checkoutHandlers(deps),
    ...queryHandlers(deps),
    ...afterSaleHandlers(deps),
    ...returnHandlers(deps),
  });
}

/**
 * Who may call what, as order.proto says. (customer) calls need a signed-in user and the handler
 * enforces ownership (access.ts: another customer's order is NOT_FOUND); calls open to customers
 * and staff are "authenticated" with the staff permission checked in the handler; (staff) and
 * (admin) calls take their permission here. Services pass every permission rule.
 */
export const ORDER_ACCESS_RULES: AccessRules<typeof OrderService> = {
  placeOrder: "authenticated",
  getOrder: "authenticated",
  listMyOrders: "authenticated",
  searchOrders: { permission: "orders.read" },
  cancelOrder: "authenticated",
  requestReturn: "authenticated",
  reviewReturn: { permission: "orders.write" },
  receiveReturn: { permission: "orders.write" },
  listReturns: "authenticated",
  refundOrder: { permission: "orders.write" },
  markOrderShipped: { permission: "orders.write" },
  markOrderDelivered: { permission: "orders.write" },
};
