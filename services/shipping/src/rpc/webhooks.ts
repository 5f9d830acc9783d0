import type { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { readCarrierWebhook } from "../carrier/webhook.ts";
import { carrierMeta, eventMeta } from "../events.ts";
import { receiveCarrierEvent } from "../shipment-steps.ts";
import type { ShippingDeps } from "./deps.ts";

type Handlers = ServiceHandlers<typeof ShippingService>;

/**
 * Carrier webhooks, forwarded by the BFF as they came. Public: the signature proves the carrier,
 * so no token is needed; everything else (a replayed id, an out-of-order status) is answered
 * 200-style, because a carrier only resends what it did not see acknowledged.
 */
export function webhookHandlers(deps: ShippingDeps): Pick<Handlers, "handleCarrierWebhook"> {
  const { store } = deps;

  return {
    async handleCarrierWebhook(request, ctx) {
      const now = new Date();
      const { carrier, event } = readCarrierWebhook(deps.carriers, request, now);
      const meta = carrierMeta(carrier.name, event.id, eventMeta(ctx));
      const result = await store.transaction((tx) => receiveCarrierEvent(tx, carrier, event, { now, meta }));
      deps.webhooks?.inc({ outcome: result.outcome });
      if (result.outcome === "applied") deps.statusChanges?.inc({ status: result.shipment?.status ?? "" });
      if (result.outcome === "stale") {
        ctx.log.warn(
          {
            carrier: carrier.name,
            eventId: event.id,
            status: event.update?.status,
            current: result.shipment?.status,
          },
          "carrier status arrived out of order; acknowledged without effect",
        );
      }
      return { duplicate: result.outcome === "duplicate" };
    },
  };
}
