import type { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { notFound } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { verifyWebhookSignature, webhookSignatureInvalid } from "@shopmesh/kit/webhooks";
import { confirmIntent, DEFAULT_FAILURE_CODE, failIntent, statusName } from "../domain/payment-intent.ts";
import { PAYMENT_FAILED, PAYMENT_SUCCEEDED } from "../domain/webhook-event.ts";
import { webhookMeta } from "../events.ts";
import type { PaymentDeps } from "./deps.ts";

type Handlers = ServiceHandlers<typeof PaymentService>;

/**
 * Provider webhooks, forwarded by the BFF as they came: anyone may call, so the signature is the
 * authentication. A verified event is recorded by its id in the same transaction as its effect,
 * so a replay (or a concurrent second delivery) is acknowledged with duplicate = true and
 * changes nothing. An event about a payment payment does not know (yet: the webhook may race the
 * commit of the authorisation) is NOT_FOUND and not recorded, so the provider delivers it again.
 */
export function webhookHandlers(deps: PaymentDeps): Pick<Handlers, "handleProviderWebhook"> {
  const { store, providers, webhooks: outcomes } = deps;
  return {
    async handleProviderWebhook(request, ctx) {
      const provider = providers.get(request.provider);
      if (!provider) throw notFound(`no payment provider named "${request.provider}"`);
      const signature = verifyWebhookSignature(provider.webhookSecret, request.payload, request.signature);
      if (!signature.valid) {
        outcomes?.inc({ outcome: "rejected" });
        throw webhookSignatureInvalid(signature.problem);
      }
      const event = provider.adapter.parseWebhook(request.payload);
      const about = event.type === PAYMENT_SUCCEEDED || event.type === PAYMENT_FAILED;
      const now = new Date();

      const outcome = await store.transaction(async (tx) => {
        // The intent's lock also serialises two deliveries of one event: the second finds it recorded.
        const intent = about
          ? await tx.intents.byReference(request.provider, event.reference, { lock: true })
          : undefined;
        if (about && !intent) {
          throw notFound(`no payment with reference ${event.reference} at ${request.provider}`);
        }
        const first = await tx.webhookEvents.record({
          provider: request.provider,
          eventId: event.id,
          type: event.type,
          paymentIntentId: intent?.id,
          receiveTime: now,
        });
        if (!first) return "duplicate";
        if (!intent) return "ignored";
        const change =
          event.type === PAYMENT_SUCCEEDED
            ? confirmIntent(intent, { now, newId })
            : failIntent(
                intent,
                event.failureCode || DEFAULT_FAILURE_CODE,
                `the provider declined the payment (${event.failureCode || DEFAULT_FAILURE_CODE})`,
                now,
              );
        if (change.intent === intent) {
          ctx.log.info(
            { paymentIntentId: intent.id, status: statusName(intent.status), webhookEventId: event.id },
            "webhook event changes nothing: the payment is no longer waiting for confirmation",
          );
          return "ignored";
        }
        tx.saveChange(intent, change, webhookMeta(ctx, event.id));
        return "applied";
      });
      outcomes?.inc({ outcome });
      return { duplicate: outcome === "duplicate" };
    },
  };
}
