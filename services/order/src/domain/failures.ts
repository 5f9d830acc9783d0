/**
 * How the saga reads a failed call to another service. A permanent failure (the request can
 * never succeed as it is: declined, out of stock, bad address) turns the saga around at once; a
 * transient one (the service is down, slow or overloaded) is retried with backoff until the
 * step's attempts or time budget run out.
 */

/** A failed call, as the saga sees it: the gRPC code name ("Unavailable"), reason and message. */
export interface StepFailure {
  /** The service called ("inventory", "payment"...). */
  service: string;
  /** The gRPC code's name as connect-es spells it ("FailedPrecondition", "Unavailable"). */
  code: string;
  /** The shopmesh ErrorInfo reason, if any ("OUT_OF_STOCK", "PAYMENT_DECLINED"). */
  reason?: string;
  /** ErrorInfo metadata (skus, decline_code). */
  metadata?: Readonly<Record<string, string>>;
  message: string;
}

export type FailureClass = "permanent" | "transient";

const TRANSIENT = new Set([
  "Unavailable",
  "DeadlineExceeded",
  "ResourceExhausted",
  "Aborted",
  "Canceled",
  "Internal",
  "Unknown",
]);

/**
 * UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (and ABORTED, CANCELLED, INTERNAL, UNKNOWN,
 * which a retry may cure) are transient; FAILED_PRECONDITION, INVALID_ARGUMENT, NOT_FOUND,
 * ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED... are permanent.
 */
export function classify(failure: Pick<StepFailure, "code">): FailureClass {
  return TRANSIENT.has(failure.code) ? "transient" : "permanent";
}

/** The stable codes an order fails with (Order.failure_code). */
export const FAILURE_CODES = {
  outOfStock: "OUT_OF_STOCK",
  paymentDeclined: "PAYMENT_DECLINED",
  paymentNotConfirmed: "PAYMENT_NOT_CONFIRMED",
  paymentFailed: "PAYMENT_FAILED",
  shippingUnavailable: "SHIPPING_UNAVAILABLE",
  dependencyUnavailable: "DEPENDENCY_UNAVAILABLE",
  reservationExpired: "RESERVATION_EXPIRED",
  checkoutFailed: "CHECKOUT_FAILED",
} as const;

/** Why a saga turned around: Order.failure_code and failure_reason. */
export interface SagaFailure {
  code: string;
  reason: string;
}

/** The failure code and sentence for a permanent failure of a checkout step. */
export function permanentFailure(step: string, failure: StepFailure): SagaFailure {
  const detail = failure.message;
  switch (step) {
    case "reserve":
      if (failure.reason === "OUT_OF_STOCK") {
        const skus = failure.metadata?.skus;
        return {
          code: FAILURE_CODES.outOfStock,
          reason: skus ? `not enough stock of ${skus.split(",").join(", ")}` : "not enough stock",
        };
      }
      if (failure.reason === "INVALID_STATE")
        return { code: FAILURE_CODES.reservationExpired, reason: detail };
      return { code: FAILURE_CODES.checkoutFailed, reason: `inventory refused the reservation: ${detail}` };
    case "quote":
    case "ship":
      return { code: FAILURE_CODES.shippingUnavailable, reason: `shipping: ${detail}` };
    case "authorize":
    case "await_payment":
      if (failure.reason === "PAYMENT_DECLINED") {
        const why = failure.metadata?.decline_code;
        return {
          code: FAILURE_CODES.paymentDeclined,
          reason: why ? `the payment was declined (${why})` : "the payment was declined",
        };
      }
      return { code: FAILURE_CODES.paymentFailed, reason: `payment: ${detail}` };
    case "capture":
      return { code: FAILURE_CODES.paymentFailed, reason: `the payment could not be captured: ${detail}` };
    case "commit":
      if (failure.reason === "INVALID_STATE") {
        return { code: FAILURE_CODES.reservationExpired, reason: `the stock reservation ran out: ${detail}` };
      }
      return { code: FAILURE_CODES.checkoutFailed, reason: `inventory: ${detail}` };
    default:
      return { code: FAILURE_CODES.checkoutFailed, reason: `${failure.service}: ${detail}` };
  }
}

/** The failure of a step whose service stayed unavailable for all its attempts. */
export function unavailableFailure(failure: StepFailure, attempts: number): SagaFailure {
  return {
    code: FAILURE_CODES.dependencyUnavailable,
    reason: `${failure.service} did not answer after ${attempts} attempt${attempts === 1 ? "" : "s"} (${failure.code}: ${failure.message})`,
  };
}
