import { invalidField } from "@shopmesh/kit/errors";

/**
 * A provider's webhook event, as the sandbox sends it (a JSON body; signed, see
 * webhook-signature.ts):
 *
 *   {"id":"evt_…","type":"payment.succeeded"|"payment.failed",
 *    "data":{"reference":"<provider reference>","failure_code":"card_declined"},"created":<unix>}
 *
 * Events of other types are acknowledged and ignored, as a provider may send more than payment
 * cares about.
 */
export interface WebhookEvent {
  /** The provider's event id: the same event delivered twice has the same id. */
  id: string;
  type: string;
  /** The provider reference of the payment it is about ("" when the type has none). */
  reference: string;
  /** payment.failed: why ("" when not given). */
  failureCode: string;
  /** When the provider created the event, in unix seconds (0 when not given). */
  created: number;
}

export const PAYMENT_SUCCEEDED = "payment.succeeded";
export const PAYMENT_FAILED = "payment.failed";

const MAX_TEXT = 255;

/**
 * Reads a webhook body. A body that is not such a JSON object, or lacks the id, the type, or the
 * reference of a payment event, is INVALID_ARGUMENT on `payload`.
 */
export function parseWebhookEvent(payload: Uint8Array): WebhookEvent {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    throw invalidField("payload", "must be a JSON webhook event");
  }
  if (!isObject(body)) throw invalidField("payload", "must be a JSON object");
  const data = isObject(body.data) ? body.data : {};
  const event: WebhookEvent = {
    id: text(body.id),
    type: text(body.type),
    reference: text(data.reference),
    failureCode: text(data.failure_code),
    created: typeof body.created === "number" && Number.isSafeInteger(body.created) ? body.created : 0,
  };
  if (event.id === "") throw invalidField("payload", "must have an event id");
  if (event.type === "") throw invalidField("payload", "must have an event type");
  if ((event.type === PAYMENT_SUCCEEDED || event.type === PAYMENT_FAILED) && event.reference === "") {
    throw invalidField("payload", `a ${event.type} event must have data.reference`);
  }
  return event;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" && value.length <= MAX_TEXT ? value : "";
}
