import { notFound } from "@shopmesh/kit/errors";
import { assertWebhookSignature } from "@shopmesh/kit/webhooks";
import { type CarrierEvent, parseCarrierEvent } from "../domain/carrier-event.ts";
import type { Carrier, Carriers } from "./carriers.ts";

/** A carrier webhook as it arrived (HandleCarrierWebhookRequest). */
export interface CarrierWebhook {
  carrier: string;
  payload: Uint8Array;
  signature: string;
}

/**
 * Reads a carrier webhook: the carrier must be known (NOT_FOUND), the signature valid and fresh
 * (UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID), the body a carrier event (INVALID_ARGUMENT). The
 * body is parsed only after its signature checked out. Nothing is stored here: the caller applies
 * the event with receiveCarrierEvent.
 */
export function readCarrierWebhook(
  carriers: Carriers,
  webhook: CarrierWebhook,
  now: Date = new Date(),
): { carrier: Carrier; event: CarrierEvent } {
  const carrier = carriers.get(webhook.carrier);
  if (!carrier) throw notFound(`no carrier named "${webhook.carrier}"`);
  assertWebhookSignature(
    carrier.webhookSecret,
    webhook.payload,
    webhook.signature,
    Math.floor(now.getTime() / 1000),
  );
  return { carrier, event: parseCarrierEvent(webhook.payload) };
}
