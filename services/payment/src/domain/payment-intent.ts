import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  PaymentAuthorizedSchema,
  PaymentCapturedSchema,
  PaymentFailedSchema,
  PaymentRefundedSchema,
  PaymentVoidedSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { type DomainError, invalidField, invalidState } from "@shopmesh/kit/errors";
import { paymentDeclined, refundExceedsCaptured } from "./errors.ts";
import { type LedgerEntry, ledgerEntry } from "./ledger.ts";
import { type Money, moneyMessage } from "./money.ts";

/**
 * The payment intent aggregate: one payment for one order at one provider. It guards its own
 * transitions, and every transition returns the new intent with the events and ledger entries
 * that go with it (never half of them):
 *
 * | from                              | by                                 | to                                              |
 * |-----------------------------------|------------------------------------|-------------------------------------------------|
 * | (new)                             | authorise                          | AUTHORIZED, REQUIRES_CONFIRMATION or FAILED     |
 * | REQUIRES_CONFIRMATION             | webhook payment.succeeded          | AUTHORIZED                                      |
 * | REQUIRES_CONFIRMATION             | webhook payment.failed, timeout    | FAILED                                          |
 * | AUTHORIZED, REQUIRES_CONFIRMATION | void                               | VOIDED                                          |
 * | AUTHORIZED                        | capture                            | CAPTURED                                        |
 * | CAPTURED, PARTIALLY_REFUNDED      | refund                             | PARTIALLY_REFUNDED, or REFUNDED when all is back |
 *
 * Amounts never go negative, captured ≤ authorised, refunded ≤ captured; the database's CHECK
 * constraints repeat those rules.
 */

export type PaymentStatus =
  | "requires_confirmation"
  | "authorized"
  | "captured"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "failed";

export interface PaymentIntent {
  id: string;
  orderId: string;
  /** "" for a guest. */
  customerId: string;
  provider: string;
  providerReference: string;
  status: PaymentStatus;
  currency: string;
  /** The authorised amount, in minor units of `currency`. */
  amount: bigint;
  capturedAmount: bigint;
  refundedAmount: bigint;
  /** What paid, as far as a shop may keep it: never a card number, nor the token. */
  brand: string;
  last4: string;
  /** Set when FAILED: card_declined, insufficient_funds, processor_error, confirmation_timeout. */
  failureCode: string;
  failureMessage: string;
  createTime: Date;
  updateTime: Date;
}

/** One refund of a captured intent. */
export interface Refund {
  id: string;
  paymentIntentId: string;
  amount: bigint;
  currency: string;
  reason: string;
  /** The provider's reference of the refund, for reconciliation; "" until the provider answered. */
  providerReference: string;
  createTime: Date;
}

/** What a transition produced: the intent after it, and what to write with it. */
export interface IntentChange {
  intent: PaymentIntent;
  events: DomainEvent[];
  ledger: LedgerEntry[];
  refund?: Refund;
}

/** What the provider said about an authorisation (see providers/provider.ts). */
export type AuthorizationOutcome =
  | { status: "authorized" | "requires_confirmation"; reference: string; brand: string; last4: string }
  | {
      status: "declined";
      reference: string;
      brand: string;
      last4: string;
      /** "card_declined", "insufficient_funds"... */
      declineCode: string;
      message: string;
    };

/** A new intent's facts, as the AuthorizePayment request gives them. */
export interface NewIntent {
  id: string;
  orderId: string;
  customerId: string;
  provider: string;
  amount: Money;
}

/** The ids and time a transition needs: ledger entries and refunds get fresh ids. */
export interface TransitionContext {
  now: Date;
  newId: () => string;
}

/** The failure code of intents the provider did not confirm in time. */
export const CONFIRMATION_TIMEOUT = "confirmation_timeout";
/** The failure code of a payment.failed webhook that names none. */
export const DEFAULT_FAILURE_CODE = "card_declined";
export const MAX_REASON_LENGTH = 500;

/**
 * The intent an authorisation created, by what the provider answered: AUTHORIZED (with an
 * AUTHORIZATION ledger entry and PaymentAuthorized), REQUIRES_CONFIRMATION (nothing to tell yet:
 * the provider confirms with a webhook), or FAILED with the decline code (PaymentFailed).
 */
export function openIntent(
  input: NewIntent,
  outcome: AuthorizationOutcome,
  context: TransitionContext,
): IntentChange {
  const { now } = context;
  const base: PaymentIntent = {
    id: input.id,
    orderId: input.orderId,
    customerId: input.customerId,
    provider: input.provider,
    providerReference: outcome.reference,
    status: "requires_confirmation",
    currency: input.amount.currency,
    amount: input.amount.amountMinor,
    capturedAmount: 0n,
    refundedAmount: 0n,
    brand: outcome.brand,
    last4: outcome.last4,
    failureCode: "",
    failureMessage: "",
    createTime: now,
    updateTime: now,
  };
  if (outcome.status === "requires_confirmation") return { intent: base, events: [], ledger: [] };
  if (outcome.status === "declined") {
    return failed(base, outcome.declineCode, outcome.message, now);
  }
  return authorized(base, context);
}

/**
 * REQUIRES_CONFIRMATION → AUTHORIZED: the provider confirmed asynchronously. Any other status is
 * answered unchanged (same object, nothing to write): a late confirmation of an intent that was
 * voided or timed out changes nothing.
 */
export function confirmIntent(intent: PaymentIntent, context: TransitionContext): IntentChange {
  if (intent.status !== "requires_confirmation") return unchanged(intent);
  return authorized(intent, context);
}

/**
 * REQUIRES_CONFIRMATION → FAILED with a failure code: the provider refused asynchronously, or
 * the confirmation did not come in time. Any other status is answered unchanged.
 */
export function failIntent(
  intent: PaymentIntent,
  failureCode: string,
  failureMessage: string,
  now: Date,
): IntentChange {
  if (intent.status !== "requires_confirmation") return unchanged(intent);
  return failed(intent, failureCode, failureMessage, now);
}

/**
 * AUTHORIZED → CAPTURED: takes `amount` (default: the whole authorised amount; at most that, in
 * the intent's currency). A partial capture releases the rest of the authorisation, as card
 * processors do. Records a CAPTURE ledger entry and PaymentCaptured.
 */
export function captureIntent(
  intent: PaymentIntent,
  amount: Money | undefined,
  context: TransitionContext,
): IntentChange {
  if (intent.status !== "authorized") {
    throw invalidState(
      `payment intent ${intent.id} is ${statusName(intent.status)}; only an AUTHORIZED intent can be captured`,
    );
  }
  const captured = amount?.amountMinor ?? intent.amount;
  if (amount) {
    sameCurrency(intent, amount, "amount.currency");
    if (captured > intent.amount) {
      throw invalidField("amount.amountMinor", `must be at most ${intent.amount}, the authorised amount`);
    }
  }
  const next: PaymentIntent = {
    ...intent,
    status: "captured",
    capturedAmount: captured,
    updateTime: context.now,
  };
  return {
    intent: next,
    events: [
      domainEvent(PaymentCapturedSchema, intent.id, {
        paymentIntent: intentMessage(next),
        amount: moneyMessage(captured, intent.currency),
      }),
    ],
    ledger: [ledgerEntry("capture", intent, captured, context.newId(), context.now)],
  };
}

/**
 * AUTHORIZED or REQUIRES_CONFIRMATION → VOIDED: the hold is released, no money moved. Records a
 * VOID ledger entry (zero) and PaymentVoided. Voiding a VOIDED or FAILED intent changes nothing;
 * a captured one must be refunded instead.
 */
export function voidIntent(intent: PaymentIntent, reason: string, context: TransitionContext): IntentChange {
  if (intent.status === "voided" || intent.status === "failed") return unchanged(intent);
  if (intent.status !== "authorized" && intent.status !== "requires_confirmation") {
    throw invalidState(
      `payment intent ${intent.id} is ${statusName(intent.status)}; money was captured, refund it instead`,
    );
  }
  const next: PaymentIntent = { ...intent, status: "voided", updateTime: context.now };
  return {
    intent: next,
    events: [domainEvent(PaymentVoidedSchema, intent.id, { paymentIntent: intentMessage(next), reason })],
    ledger: [ledgerEntry("void", intent, 0n, context.newId(), context.now)],
  };
}

/**
 * Refunds `amount` of a CAPTURED or PARTIALLY_REFUNDED intent: at most what was captured and
 * not yet refunded (REFUND_EXCEEDS_CAPTURED beyond), in the intent's currency. The intent becomes
 * REFUNDED when nothing is left, else PARTIALLY_REFUNDED. Records the Refund, a REFUND ledger
 * entry (negative) and PaymentRefunded.
 */
export function refundIntent(
  intent: PaymentIntent,
  amount: Money,
  reason: string,
  context: TransitionContext,
): IntentChange & { refund: Refund } {
  if (intent.status !== "captured" && intent.status !== "partially_refunded") {
    if (intent.status === "refunded") {
      throw refundExceedsCaptured(amount.amountMinor, 0n, intent.currency);
    }
    throw invalidState(
      `payment intent ${intent.id} is ${statusName(intent.status)}; only captured money can be refunded`,
    );
  }
  sameCurrency(intent, amount, "amount.currency");
  const refundable = refundableAmount(intent);
  if (amount.amountMinor > refundable) {
    throw refundExceedsCaptured(amount.amountMinor, refundable, intent.currency);
  }
  const refundedAmount = intent.refundedAmount + amount.amountMinor;
  const next: PaymentIntent = {
    ...intent,
    status: refundedAmount === intent.capturedAmount ? "refunded" : "partially_refunded",
    refundedAmount,
    updateTime: context.now,
  };
  const refund: Refund = {
    id: context.newId(),
    paymentIntentId: intent.id,
    amount: amount.amountMinor,
    currency: intent.currency,
    reason,
    providerReference: "",
    createTime: context.now,
  };
  return {
    intent: next,
    refund,
    events: [
      domainEvent(PaymentRefundedSchema, intent.id, {
        paymentIntent: intentMessage(next),
        refund: refundMessage(refund),
      }),
    ],
    ledger: [ledgerEntry("refund", intent, amount.amountMinor, context.newId(), context.now)],
  };
}

/** What may still be refunded: captured minus refunded. */
export function refundableAmount(intent: PaymentIntent): bigint {
  return intent.capturedAmount - intent.refundedAmount;
}

/** The error a declined authorisation answers (and is stored under its idempotency key). */
export function declineError(intent: PaymentIntent): DomainError {
  return paymentDeclined(intent.failureCode, intent.id, intent.failureMessage);
}

/** Violations of a void or refund reason: at most 500 characters. */
export function checkReason(reason: string, field: string) {
  return [...reason].length > MAX_REASON_LENGTH
    ? [{ field, description: `must be at most ${MAX_REASON_LENGTH} characters` }]
    : [];
}

function authorized(intent: PaymentIntent, context: TransitionContext): IntentChange {
  const next: PaymentIntent = { ...intent, status: "authorized", updateTime: context.now };
  return {
    intent: next,
    events: [domainEvent(PaymentAuthorizedSchema, intent.id, { paymentIntent: intentMessage(next) })],
    ledger: [ledgerEntry("authorization", intent, 0n, context.newId(), context.now)],
  };
}

function failed(intent: PaymentIntent, failureCode: string, failureMessage: string, now: Date): IntentChange {
  const next: PaymentIntent = { ...intent, status: "failed", failureCode, failureMessage, updateTime: now };
  return {
    intent: next,
    events: [domainEvent(PaymentFailedSchema, intent.id, { paymentIntent: intentMessage(next) })],
    ledger: [],
  };
}

function unchanged(intent: PaymentIntent): IntentChange {
  return { intent, events: [], ledger: [] };
}

function sameCurrency(intent: PaymentIntent, amount: Money, field: string): void {
  if (amount.currency !== intent.currency) {
    throw invalidField(field, `must be ${intent.currency}, the currency of the payment`);
  }
}

/** "CAPTURED": a status as the proto names it, for messages. */
export function statusName(status: PaymentStatus): string {
  return status.toUpperCase();
}

const STATUS_NUMBERS: Record<PaymentStatus, number> = {
  requires_confirmation: 1,
  authorized: 2,
  captured: 3,
  partially_refunded: 4,
  refunded: 5,
  voided: 6,
  failed: 7,
};

/** shopmesh.payment.v1.PaymentStatus value of a status. */
export function statusToProto(status: PaymentStatus): number {
  return STATUS_NUMBERS[status];
}

/** The proto PaymentIntent of responses and events. */
export function intentMessage(intent: PaymentIntent) {
  return {
    id: intent.id,
    orderId: intent.orderId,
    customerId: intent.customerId,
    provider: intent.provider,
    providerReference: intent.providerReference,
    status: statusToProto(intent.status),
    amount: moneyMessage(intent.amount, intent.currency),
    capturedAmount: moneyMessage(intent.capturedAmount, intent.currency),
    refundedAmount: moneyMessage(intent.refundedAmount, intent.currency),
    paymentMethod: { brand: intent.brand, last4: intent.last4 },
    failureCode: intent.failureCode,
    failureMessage: intent.failureMessage,
    createTime: timestampFromDate(intent.createTime),
    updateTime: timestampFromDate(intent.updateTime),
  };
}

/** The proto Refund of responses and events. */
export function refundMessage(refund: Refund) {
  return {
    id: refund.id,
    paymentIntentId: refund.paymentIntentId,
    amount: moneyMessage(refund.amount, refund.currency),
    reason: refund.reason,
    createTime: timestampFromDate(refund.createTime),
  };
}
