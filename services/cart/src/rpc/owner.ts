import { invalidField } from "@shopmesh/kit/errors";
import type { RpcContext } from "@shopmesh/kit/rpc";
import { hashCartToken, isCartToken } from "../crypto/cart-token.ts";
import type { CartKey } from "../store/carts.ts";

/**
 * Which cart a call acts on. A signed-in user's token always selects that user's cart, whatever
 * cart_token says; otherwise the cart token selects a guest cart. Guest and user carts live
 * under different keys and a guest key is the hash of a secret token, so no request can reach a
 * user's cart or another guest's without holding it.
 */
export function cartKeyOf(ctx: RpcContext, cartToken: string, field = "cartToken"): CartKey {
  if (ctx.principal?.kind === "user") return { kind: "user", userId: ctx.principal.userId };
  return guestKey(cartToken, field);
}

/** The key of a guest cart token; INVALID_ARGUMENT on `field` when missing or malformed. */
export function guestKey(cartToken: string, field = "cartToken"): CartKey {
  if (cartToken === "") throw invalidField(field, "is required unless a user is signed in");
  if (!isCartToken(cartToken)) throw invalidField(field, "is not a cart token");
  return { kind: "guest", tokenHash: hashCartToken(cartToken) };
}
