import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { cartHandlers } from "./cart.ts";
import type { CartDeps } from "./deps.ts";
import { cartErrorMapper } from "./errors.ts";

export type { CartDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.cart.v1.CartService. Each maps its request to domain calls and store
 * operations and the result back to proto; failures map to statuses in the kit's toRpcError and errors.ts.
 */
export function createCartHandlers(deps: CartDeps): ServiceHandlers<typeof CartService> {
  return withErrorMapping(CartService, cartHandlers(deps), cartErrorMapper);
}

/**
 * Who may call what, as the proto comments say: (public) calls work for guests with a cart
 * token and for signed-in users (a user token, when present, is verified and selects the user's
 * cart); (self) MergeCart needs a signed-in user (the handler refuses service principals).
 */
export const CART_ACCESS_RULES: AccessRules<typeof CartService> = {
  createGuestCart: "public",
  getCart: "public",
  addItem: "public",
  updateItem: "public",
  removeItem: "public",
  clearCart: "public",
  mergeCart: "authenticated",
};
