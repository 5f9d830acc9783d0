import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { DomainError, invalidField, invalidState, notFound } from "@shopmesh/kit/errors";
import { forwardContext, type RpcContext, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkIdempotencyKey } from "../domain/checkout.ts";
import { classify } from "../domain/failures.ts";
import { orderMessage } from "../domain/messages.ts";
import {
  checkCancellable,
  markDelivered,
  markShipped,
  type Order,
  type OrderChange,
  refundable,
} from "../domain/order.ts";
import { startCancel } from "../domain/saga.ts";
import { actorOf, eventMeta } from "../events.ts";
import { call, PeerCallError } from "../saga/failure.ts";
import { manageable, readable } from "./access.ts";
import type { OrderDeps } from "./deps.ts";
import { check, maxLength, uuid } from "./fields.ts";
import { settle } from "./settle.ts";

type Handlers = ServiceHandlers<typeof OrderService>;

const MAX_REASON = 500;

/**
 * After checkout: cancel (a cancel saga: stop the shipment, stock back, refund, CANCELLED),
 * staff refunds, and marking orders shipped or delivered by hand.
 */
export function afterSaleHandlers(
  deps: OrderDeps,
): Pick<Handlers, "cancelOrder" | "refundOrder" | "markOrderShipped" | "markOrderDelivered"> {
  const { store, peers, refunds } = deps;

  /** Applies a status change to the locked order with its history and events. */
  async function changeOrder(
    orderId: string,
    meta: ReturnType<typeof eventMeta>,
    change: (order: Order) => OrderChange,
  ): Promise<Order> {
    return store.transaction(async (tx) => {
      const order = await tx.orders.byId(orderId, { lock: true });
      if (!order) throw notFound(`no order ${orderId}`);
      const result = change(order);
      if (result.order === order) return order;
      await tx.orders.save(result.order);
      await tx.orders.addHistory(result.history);
      tx.record(result.events, meta);
      return result.order;
    });
  }

  /**
   * Asks shipping to record a status by hand, as the staff member who asked (their token goes
   * along, so shipping's event, and the history entry it leads to here, name them); its refusals
   * become INVALID_STATE.
   */
  async function shipmentStatus(
    ctx: RpcContext,
    orderId: string,
    status: ShipmentStatus,
    note: string,
  ): Promise<void> {
    try {
      await call("shipping", () =>
        peers.shipping.updateShipmentStatus(
          { orderId, status, note },
          { timeoutMs: deps.timeoutMs, call: forwardContext(ctx) },
        ),
      );
    } catch (error) {
      if (!(error instanceof PeerCallError)) throw error;
      if (classify(error.failure) === "transient") {
        throw new DomainError("unavailable", `shipping did not answer: ${error.failure.message}`);
      }
      throw invalidState(`shipping refused: ${error.failure.message}`);
    }
  }

  return {
    async cancelOrder(request, ctx) {
      check(uuid(request.orderId, "orderId"), maxLength(request.reason, MAX_REASON, "reason"));
      const actor = actorOf(ctx.principal);
      const reason = request.reason || "cancelled on request";
      const started = await store.transaction(async (tx) => {
        const order = manageable(ctx, await tx.orders.byId(request.orderId, { lock: true }), request.orderId);
        if (order.status === "cancelled") return order;
        checkCancellable(order);
        const saga = await tx.sagas.byOrderId(order.id, { lock: true });
        if (!saga) throw invalidState(`order ${order.id} has no checkout`);
        if (saga.kind === "cancel" && saga.status !== "done") return order; // under way: join it
        if ((await tx.refunds.pendingAmount(order.id)) > 0n) {
          throw invalidState(`order ${order.id} has a refund under way; cancel it afterwards`);
        }
        await tx.sagas.saveUnleased(
          startCancel(saga, { actor, reason, refund: refundable(order) }, new Date()),
        );
        return order;
      });
      if (started.status === "cancelled") return { order: orderMessage(started) };
      const { order, saga } = await settle(
        deps,
        started.id,
        Date.now() + deps.waitMs,
        (current, s) => current.status === "cancelled" || (s?.kind === "cancel" && s.status === "done"),
      );
      if (order.status !== "cancelled" && saga?.kind === "cancel" && saga.status === "done") {
        if (saga.failureCode === "ALREADY_SHIPPED") throw invalidState(saga.failureReason);
        throw new DomainError("unavailable", `the order could not be cancelled now: ${saga.failureReason}`);
      }
      return { order: orderMessage(order) };
    },

    async refundOrder(request, ctx) {
      check(
        uuid(request.orderId, "orderId"),
        checkIdempotencyKey(request.idempotencyKey),
        maxLength(request.reason, MAX_REASON, "reason"),
      );
      const order = await store.read().orders.byId(request.orderId);
      if (!order) throw notFound(`no order ${request.orderId}`);
      const amount = request.amount;
      if (amount) {
        if (amount.amountMinor <= 0n) throw invalidField("amount.amountMinor", "must be positive");
        if (amount.currency !== order.currency) {
          throw invalidField("amount.currency", `must be the order's currency, ${order.currency}`);
        }
      }
      const refunded = await refunds.refund({
        orderId: order.id,
        key: `staff:${request.idempotencyKey}`,
        amount: amount?.amountMinor,
        reason: request.reason || "refund by staff",
        actor: actorOf(ctx.principal),
        meta: eventMeta(ctx),
      });
      return { order: orderMessage(refunded) };
    },

    async markOrderShipped(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const order = readable(ctx, await store.read().orders.byId(request.orderId), request.orderId);
      if (order.shipTime !== undefined) return { order: orderMessage(order) };
      if (order.status !== "confirmed" && order.status !== "partially_refunded") {
        throw invalidState(`order ${order.id} is ${order.status}; only a confirmed order can ship`);
      }
      const saga = await store.read().sagas.byOrderId(order.id);
      if (saga && saga.status !== "done")
        throw invalidState(`order ${order.id} has a ${saga.kind} under way`);
      const actor = actorOf(ctx.principal);
      await shipmentStatus(ctx, order.id, ShipmentStatus.IN_TRANSIT, `marked shipped by ${actor}`);
      const shipped = await changeOrder(order.id, eventMeta(ctx), (current) =>
        markShipped(current, { actor, reason: "marked shipped" }, new Date()),
      );
      return { order: orderMessage(shipped) };
    },

    async markOrderDelivered(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const order = readable(ctx, await store.read().orders.byId(request.orderId), request.orderId);
      if (order.deliverTime !== undefined) return { order: orderMessage(order) };
      if (order.shipTime === undefined || !["shipped", "partially_refunded"].includes(order.status)) {
        throw invalidState(`order ${order.id} is ${order.status}; only a shipped order can be delivered`);
      }
      const actor = actorOf(ctx.principal);
      await shipmentStatus(ctx, order.id, ShipmentStatus.DELIVERED, `marked delivered by ${actor}`);
      const delivered = await changeOrder(order.id, eventMeta(ctx), (current) =>
        markDelivered(current, { actor, reason: "marked delivered" }, new Date()),
      );
      return { order: orderMessage(delivered) };
    },
  };
}
