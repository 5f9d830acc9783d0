import type { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { invalidField, notFound } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import type { DeliveryChannel } from "../domain/catalogue.ts";
import { type Delivery, redriveDelivery } from "../domain/delivery.ts";
import { channelFromProto, deliveryMessage, stateFromProto } from "../domain/messages.ts";
import { eventMeta } from "../events.ts";
import type { Repositories } from "../store/index.ts";
import type { NotificationDeps } from "./deps.ts";
import { check, optionalUuid, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof NotificationService>;

export const LIST_DELIVERIES_PAGE = { defaultSize: 50, maxSize: 200 } as const;

/** The admin view of deliveries and the re-drive of dead letters. */
export function deliveryHandlers(
  deps: NotificationDeps,
): Pick<Handlers, "listDeliveries" | "getDelivery" | "redriveDelivery"> {
  const { store } = deps;
  return {
    async listDeliveries(request) {
      check(optionalUuid(request.userId, "userId"));
      const state = request.state === 0 ? undefined : stateFromProto(request.state);
      if (request.state !== 0 && !state) throw invalidField("state", "is not a delivery state");
      const channel = request.channel === 0 ? undefined : channelFromProto(request.channel);
      if ((request.channel !== 0 && !channel) || channel === "in_app") {
        throw invalidField("channel", "must be email, sms or push");
      }
      const limit = pageSize(request.pageSize, LIST_DELIVERIES_PAGE);
      const filters = filterHash([state ?? "", request.userId, channel ?? ""]);
      const after = decodePageToken(request.pageToken, filters, ({ key, id }) => {
        const createTime = new Date(key);
        return Number.isNaN(createTime.getTime()) || !isUuid(id) ? undefined : { createTime, id };
      });
      const deliveries = await store.read().deliveries.list(
        {
          ...(state ? { state } : {}),
          ...(request.userId ? { userId: request.userId } : {}),
          ...(channel ? { channel: channel as DeliveryChannel } : {}),
        },
        after,
        limit + 1,
      );
      return {
        deliveries: deliveries.slice(0, limit).map(deliveryMessage),
        nextPageToken: nextPageToken(
          deliveries,
          limit,
          (last) => ({ key: last.createTime.toISOString(), id: last.id }),
          filters,
        ),
      };
    },

    async getDelivery(request) {
      check(uuid(request.deliveryId, "deliveryId"));
      return { delivery: deliveryMessage(await existingDelivery(store.read(), request.deliveryId)) };
    },

    async redriveDelivery(request, ctx) {
      check(uuid(request.deliveryId, "deliveryId"));
      const delivery = await store.transaction(async (tx) => {
        const current = await existingDelivery(tx, request.deliveryId, true);
        const change = redriveDelivery(current, new Date());
        await tx.deliveries.update(change.delivery);
        tx.record(change.events, eventMeta(ctx));
        return change.delivery;
      });
      ctx.log.info({ deliveryId: delivery.id, redriveCount: delivery.redriveCount }, "delivery re-driven");
      return { delivery: deliveryMessage(delivery) };
    },
  };
}

async function existingDelivery(repos: Repositories, id: string, lock = false): Promise<Delivery> {
  const delivery = await repos.deliveries.byId(id, { lock });
  if (!delivery) throw notFound(`delivery ${id} not found`);
  return delivery;
}
