import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CartSchema, CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import type { EventMeta } from "@shopmesh/kit/events";
import { newId } from "@shopmesh/kit/ids";
import { type RpcContext, requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { generateCartToken, hashCartToken } from "../crypto/cart-token.ts";
import {
  addItem,
  type Cart,
  clearCart,
  newCart,
  removeItem,
  updateItem,
  validateAddItem,
} from "../domain/cart.ts";
import { notFound } from "../domain/errors.ts";
import { type MergeResult, mergeCarts } from "../domain/merge.ts";
import { priceCart } from "../domain/pricing.ts";
import type { SourceCall } from "../domain/sources.ts";
import type { CartKey, StoredCart, UpdatedCart } from "../store/carts.ts";
import { cartToProto, emptyUserCart } from "./convert.ts";
import type { CartDeps } from "./deps.ts";
import { cartKeyOf, guestKey } from "./owner.ts";

type Handlers = ServiceHandlers<typeof CartService>;
type CartMessage = MessageInitShape<typeof CartSchema>;

/** The handlers of shopmesh.cart.v1.CartService. */
export function cartHandlers(deps: CartDeps): Handlers {
  const { store, prices, stock, events } = deps;

  /**
   * The cart priced now: catalog's prices and inventory's stock for all its SKUs, asked in
   * parallel with one batched call each (none for an empty cart).
   */
  async function view(stored: StoredCart, ctx: RpcContext): Promise<CartMessage> {
    const skus = stored.cart.lines.map((line) => line.sku);
    const call = sourceCall(ctx);
    const [variants, units] = await Promise.all([
      prices.variants(skus, call),
      stock.availability(skus, call),
    ]);
    return cartToProto(priceCart(stored.cart, variants, units), stored.expireTime);
  }

  /** The cart to change: a guest cart must exist; a user's cart is created on first use. */
  function existing(current: Cart | undefined, key: CartKey): Cart {
    if (current) return current;
    if (key.kind === "guest") throw guestCartMissing();
    return newCart({ id: newId(), userId: key.userId, now: new Date() });
  }

  /** Applies a change to the caller's cart and answers it priced. */
  async function change(
    ctx: RpcContext,
    cartToken: string,
    apply: (cart: Cart, now: Date) => Cart,
  ): Promise<{ cart: CartMessage }> {
    const key = cartKeyOf(ctx, cartToken);
    const stored = written(
      await store.update(key, (current) => apply(existing(current, key), new Date())),
      ctx,
    );
    return { cart: await view(stored, ctx) };
  }

  /**
   * Publishes CartCreated when the write made the cart (after Redis committed it; in the
   * background, so NATS neither slows nor fails the call).
   */
  function written(stored: UpdatedCart, ctx: RpcContext): UpdatedCart {
    if (stored.created) events.cartCreated(stored.cart, eventMeta(stored.cart, ctx));
    return stored;
  }

  return {
    async createGuestCart(_request, ctx) {
      const token = generateCartToken();
      const key: CartKey = { kind: "guest", tokenHash: hashCartToken(token) };
      const now = new Date();
      const stored = written(
        await store.update(key, (current) => current ?? newCart({ id: newId(), userId: "", now })),
        ctx,
      );
      return {
        cartToken: token,
        cart: cartToProto(priceCart(stored.cart, new Map(), new Map()), stored.expireTime),
      };
    },

    async getCart(request, ctx) {
      const key = cartKeyOf(ctx, request.cartToken);
      const stored = await store.read(key);
      if (stored) return { cart: await view(stored, ctx) };
      if (key.kind === "guest") throw guestCartMissing();
      return { cart: emptyUserCart(key.userId) };
    },

    async addItem(request, ctx) {
      const input = { sku: request.sku, quantity: request.quantity };
      const key = cartKeyOf(ctx, request.cartToken);
      validateAddItem(input);
      const variant = (await prices.variants([input.sku], sourceCall(ctx))).get(input.sku);
      const stored = written(
        await store.update(key, (current) => addItem(existing(current, key), input, variant, new Date())),
        ctx,
      );
      return { cart: await view(stored, ctx) };
    },

    updateItem: (request, ctx) =>
      change(ctx, request.cartToken, (cart, now) =>
        updateItem(cart, { sku: request.sku, quantity: request.quantity }, now),
      ),

    removeItem: (request, ctx) =>
      change(ctx, request.cartToken, (cart, now) => removeItem(cart, request.sku, now)),

    clearCart: (request, ctx) => change(ctx, request.cartToken, (cart, now) => clearCart(cart, now)),

    async mergeCart(request, ctx) {
      const { userId } = requireUser(ctx);
      const from = guestKey(request.cartToken);
      let result: MergeResult | undefined;
      // No CartCreated when this makes the user's cart: it continues the guest cart, which was
      // counted when it was created (the dashboard's carts -> orders conversion).
      const outcome = await store.merge({ kind: "user", userId }, from, (user, guest) => {
        const now = new Date();
        result = mergeCarts(user ?? newCart({ id: newId(), userId, now }), guest, now);
        return result.cart;
      });
      const cart = outcome.user ? await view(outcome.user, ctx) : emptyUserCart(userId);
      const merged = outcome.merged ? result : undefined;
      return { cart, skippedSkus: merged?.skipped ?? [], cappedSkus: merged?.capped ?? [] };
    },
  };
}

function guestCartMissing() {
  return notFound("the cart does not exist or has expired; create a new one", "cartToken");
}

/** Who made the cart (guests are anonymous) and the request's trace, for the event's envelope. */
function eventMeta(cart: Cart, ctx: RpcContext): EventMeta {
  return {
    ...(cart.userId ? { actor: `user:${cart.userId}` } : {}),
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  };
}

function sourceCall(ctx: RpcContext): SourceCall {
  return {
    requestId: ctx.requestId,
    signal: ctx.signal,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  };
}
