import { DomainError, failedPrecondition } from "@shopmesh/kit/errors";

/**
 * Payment's own failures, on top of the kit's DomainError (@shopmesh/kit/errors), which maps
 * them to gRPC statuses with their ErrorInfo reason and metadata.
 */

/**
 * The provider declined the payment: FAILED_PRECONDITION PAYMENT_DECLINED, with the decline
 * code ("card_declined", "insufficient_funds") and the FAILED intent recorded for it.
 */
export function paymentDeclined(declineCode: string, paymentIntentId: string, message: string): DomainError {
  return failedPrecondition(`the payment was declined: ${message}`, "PAYMENT_DECLINED", {
    decline_code: declineCode,
    payment_intent_id: paymentIntentId,
  });
}

/** The idempotency key was used before, for the same method, with a different request. */
export function idempotencyKeyReused(method: string): DomainError {
  return failedPrecondition(
    `this idempotency key was used for a different ${method} request; use a new key for a new request`,
    "IDEMPOTENCY_KEY_REUSED",
  );
}

/** A refund of more than is left to refund (captured minus refunded). */
export function refundExceedsCaptured(requested: bigint, refundable: bigint, currency: string): DomainError {
  return failedPrecondition(
    `a refund of ${requested} ${currency} exceeds the ${refundable} ${currency} captured and not yet refunded`,
    "REFUND_EXCEEDS_CAPTURED",
    { refundable_minor: String(refundable) },
  );
}

/**
 * The payment processor could not be reached or failed: UNAVAILABLE. Nothing is recorded under
 * the idempotency key, so a retry with the same key tries again.
 */
export function processorUnavailable(message: string): DomainError {
  return new DomainError("unavailable", message, { reason: "UPSTREAM_UNAVAILABLE" });
}
