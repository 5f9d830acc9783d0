import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { orderMessage, returnMessage } from "../domain/messages.ts";
import { checkReceivable, requestReturn, reviewReturn } from "../domain/returns.ts";
import { actorOf, eventMeta } from "../events.ts";
import { manageable, readable } from "./access.ts";
import type { OrderDeps } from "./deps.ts";
import { check, maxLength, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof OrderService>;

/**
 * Returns: the customer asks, an admin approves or rejects, and when the goods arrive the refund
 * of their unit prices goes out (through refunds.ts, like any refund). The goods are not put back
 * on sale here: staff inspect them and restock with a RETURNED adjustment in inventory.
 */
export function returnHandlers(
  deps: OrderDeps,
): Pick<Handlers, "requestReturn" | "reviewReturn" | "receiveReturn" | "listReturns"> {
  const { store, refunds } = deps;
  return {
    async requestReturn(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const ret = await store.transaction(async (tx) => {
        const order = manageable(ctx, await tx.orders.byId(request.orderId, { lock: true }), request.orderId);
        const returns = await tx.returns.ofOrder(order.id);
        const { ret, events } = requestReturn(
          order,
          {
            id: newId(),
            lines: request.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
            reason: request.reason,
          },
          returns,
          new Date(),
        );
        await tx.returns.insert(ret);
        tx.record(events, eventMeta(ctx));
        return ret;
      });
      return { return: returnMessage(ret) };
    },

    async reviewReturn(request) {
      check(uuid(request.returnId, "returnId"), maxLength(request.note, 500, "note"));
      const ret = await store.transaction(async (tx) => {
        const current = await tx.returns.byId(request.returnId, { lock: true });
        if (!current) throw notFound(`no return ${request.returnId}`);
        const reviewed = reviewReturn(current, request.approve, request.note, new Date());
        if (reviewed !== current) await tx.returns.save(reviewed);
        return reviewed;
      });
      return { return: returnMessage(ret) };
    },

    async receiveReturn(request, ctx) {
      check(uuid(request.returnId, "returnId"));
      const ret = await store.read().returns.byId(request.returnId);
      if (!ret) throw notFound(`no return ${request.returnId}`);
      checkReceivable(ret);
      const order = await refunds.refund({
        orderId: ret.orderId,
        key: `return:${ret.id}`,
        amount: ret.refundAmount,
        reason: `return ${ret.id}${ret.reason ? `: ${ret.reason}` : ""}`,
        actor: actorOf(ctx.principal),
        returnId: ret.id,
        meta: eventMeta(ctx),
      });
      const refunded = (await store.read().returns.byId(ret.id)) ?? ret;
      return { return: returnMessage(refunded), order: orderMessage(order) };
    },

    async listReturns(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const read = store.read();
      const order = readable(ctx, await read.orders.byId(request.orderId), request.orderId);
      const returns = await read.returns.ofOrder(order.id);
      return { returns: returns.map(returnMessage) };
    },
  };
}
