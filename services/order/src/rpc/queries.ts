import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import type { FieldViolation } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, type PageCursor, pageSize } from "@shopmesh/kit/paging";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { historyMessage, orderMessage, statusFromProto } from "../domain/messages.ts";
import type { OrderStatus } from "../domain/order.ts";
import type { OrderFilter } from "../store/index.ts";
import { readable } from "./access.ts";
import type { OrderDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof OrderService>;

/** Order lists: newest first by id (UUIDv7, so by placing), 20 a page by default, at most 100. */
const ORDER_PAGE = { defaultSize: 20, maxSize: 100 } as const;

/** A page token of an order list holds only the last id (no sort key: the id is the order). */
const afterId = ({ id }: PageCursor) => (isUuid(id) ? id : undefined);
const cursorOf = (last: { id: string }): PageCursor => ({ key: "", id: last.id });

/** Reads: one order with its history, the caller's orders, and the staff's search. */
export function queryHandlers(deps: OrderDeps): Pick<Handlers, "getOrder" | "listMyOrders" | "searchOrders"> {
  const { store } = deps;
  return {
    async getOrder(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const read = store.read();
      const order = readable(ctx, await read.orders.byId(request.orderId), request.orderId);
      const history = await read.orders.history(order.id);
      return { order: orderMessage(order), history: history.map(historyMessage) };
    },

    async listMyOrders(request, ctx) {
      const { userId } = requireUser(ctx);
      const limit = pageSize(request.pageSize, ORDER_PAGE);
      const filters = filterHash(["mine", userId]);
      const after = decodePageToken(request.pageToken, filters, afterId);
      const orders = await store.read().orders.search({ customerId: userId }, after, limit + 1);
      return {
        orders: orders.slice(0, limit).map(orderMessage),
        nextPageToken: nextPageToken(orders, limit, cursorOf, filters),
      };
    },

    async searchOrders(request) {
      const violations: FieldViolation[] = [];
      const statuses: OrderStatus[] = [];
      request.statuses.forEach((value, index) => {
        const status = statusFromProto(value);
        if (status) statuses.push(status);
        else violations.push({ field: `statuses[${index}]`, description: "is not an order status" });
      });
      if (request.customerId) violations.push(...uuid(request.customerId, "customerId"));
      if (request.minTotalMinor < 0n)
        violations.push({ field: "minTotalMinor", description: "must not be negative" });
      if (request.maxTotalMinor < 0n)
        violations.push({ field: "maxTotalMinor", description: "must not be negative" });
      check(violations);
      const filter: OrderFilter = {
        ...(statuses.length > 0 ? { statuses } : {}),
        ...(request.customerId ? { customerId: request.customerId } : {}),
        ...(request.createTimeFrom ? { createdFrom: timestampDate(request.createTimeFrom) } : {}),
        ...(request.createTimeTo ? { createdBefore: timestampDate(request.createTimeTo) } : {}),
        ...(request.minTotalMinor > 0n ? { minTotal: request.minTotalMinor } : {}),
        ...(request.maxTotalMinor > 0n ? { maxTotal: request.maxTotalMinor } : {}),
      };
      const limit = pageSize(request.pageSize, ORDER_PAGE);
      const filters = filterHash([
        "search",
        [...statuses].sort(),
        filter.customerId ?? "",
        filter.createdFrom?.toISOString() ?? "",
        filter.createdBefore?.toISOString() ?? "",
        String(filter.minTotal ?? ""),
        String(filter.maxTotal ?? ""),
      ]);
      const after = decodePageToken(request.pageToken, filters, afterId);
      const orders = await store.read().orders.search(filter, after, limit + 1);
      return {
        orders: orders.slice(0, limit).map(orderMessage),
        nextPageToken: nextPageToken(orders, limit, cursorOf, filters),
      };
    },
  };
}
