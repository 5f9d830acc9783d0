import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { DomainError, failedPrecondition, throwIfInvalid } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import {
  Code,
  forwardContext,
  type RpcContext,
  RpcError,
  requireUser,
  type ServiceHandlers,
} from "@shopmesh/kit/rpc";
import {
  type CheckoutRequest,
  checkCheckoutRequest,
  checkoutFingerprint,
  orderLinesFromCart,
} from "../domain/checkout.ts";
import { methodFromProto, orderMessage } from "../domain/messages.ts";
import { placeOrder } from "../domain/order.ts";
import { startCheckout } from "../domain/saga.ts";
import { eventMeta } from "../events.ts";
import { isDuplicateOrder } from "../store/index.ts";
import { addressFromProto, cartLines } from "./convert.ts";
import type { OrderDeps } from "./deps.ts";
import { settle } from "./settle.ts";

type Handlers = ServiceHandlers<typeof OrderService>;

/**
 * Checkout: PlaceOrder creates the PENDING order, its saga (leased to this process) and
 * OrderPlaced in one statement, keyed by (customer, idempotency key), then runs the saga in
 * process and answers when it ends (or when PLACE_ORDER_WAIT_MS is up, or when it waits for a
 * payment confirmation).
 */
export function checkoutHandlers(deps: OrderDeps): Pick<Handlers, "placeOrder"> {
  const { store, peers } = deps;

  /** The order of this key: found, or created from the customer's cart now. */
  async function findOrCreate(
    ctx: RpcContext,
    customerId: string,
    request: CheckoutRequest,
    fingerprint: string,
  ) {
    const existing = await store.checkout.byIdempotencyKey(customerId, request.idempotencyKey);
    if (existing) return { order: existing };
    let cart: Awaited<ReturnType<typeof peers.cart.getCart>>["cart"];
    try {
      ({ cart } = await peers.cart.getCart({}, { call: forwardContext(ctx), timeoutMs: deps.timeoutMs }));
    } catch (error) {
      if (
        error instanceof RpcError &&
        (error.code === Code.Unavailable || error.code === Code.DeadlineExceeded)
      ) {
        throw new DomainError("unavailable", `the cart could not be read: ${error.rawMessage}`);
      }
      throw error;
    }
    const { lines, currency } = orderLinesFromCart(cartLines(cart));
    const now = new Date();
    const change = placeOrder(
      {
        id: newId(),
        customerId,
        lines,
        currency,
        shippingAddress: request.shippingAddress!,
        shippingMethod: request.shippingMethod!,
        idempotencyKey: request.idempotencyKey,
        requestFingerprint: fingerprint,
      },
      now,
    );
    const saga = startCheckout(change.order.id, request.paymentToken, now);
    try {
      // Leased to this process's engine, which drives it at once.
      await store.checkout.place({ change, saga, meta: eventMeta(ctx), lease: deps.engine.lease });
      return { order: change.order, saga };
    } catch (error) {
      if (!isDuplicateOrder(error)) throw error;
      // A concurrent PlaceOrder with the same key committed first: it is the one order.
      const winner = await store.checkout.byIdempotencyKey(customerId, request.idempotencyKey);
      if (!winner) throw error;
      return { order: winner };
    }
  }

  return {
    async placeOrder(request, ctx) {
      const { userId } = requireUser(ctx);
      const deadline = Date.now() + deps.waitMs;
      const input: CheckoutRequest = {
        idempotencyKey: request.idempotencyKey,
        shippingAddress: addressFromProto(request.shippingAddress),
        shippingMethod: methodFromProto(request.shippingMethod),
        paymentToken: request.paymentToken,
      };
      throwIfInvalid(checkCheckoutRequest(input));
      const fingerprint = checkoutFingerprint(input);
      const { order, saga } = await findOrCreate(ctx, userId, input, fingerprint);
      if (order.requestFingerprint !== fingerprint) {
        throw failedPrecondition(
          "this idempotency key was used for another checkout request",
          "IDEMPOTENCY_KEY_REUSED",
        );
      }
      const { order: settled } = await settle(
        deps,
        order.id,
        deadline,
        (current, saga) => current.status !== "pending" || saga?.status === "waiting",
        // A new order and its saga are as stored; one found by its key may have moved on since.
        saga ? { order, saga } : undefined,
      );
      return { order: orderMessage(settled) };
    },
  };
}
