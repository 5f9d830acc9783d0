import {
  CapturePaymentResponseSchema,
  type PaymentService,
  RefundPaymentResponseSchema,
  VoidPaymentResponseSchema,
} from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkIdempotencyKey, providerIdempotencyKey, requestFingerprint } from "../domain/idempotency.ts";
import { checkAmount, type Money } from "../domain/money.ts";
import {
  captureIntent,
  checkReason,
  intentMessage,
  refundIntent,
  refundMessage,
  voidIntent,
} from "../domain/payment-intent.ts";
import { eventMeta } from "../events.ts";
import type { PaymentDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";
import { runIdempotent } from "./idempotent.ts";
import { foundIntent, providerOf } from "./lookup.ts";

type Handlers = ServiceHandlers<typeof PaymentService>;

/**
 * Capture, void and refund of an existing intent. Each runs under its idempotency key and holds
 * the intent's row lock (taken with the key, in one statement) from the domain check to the
 * commit, so concurrent calls on one intent (two refunds, a capture and a void) take turns and
 * each sees what the previous one left.
 * The domain decides first; only then is the provider asked, and the result written.
 */
export function intentHandlers(
  deps: PaymentDeps,
): Pick<Handlers, "capturePayment" | "voidPayment" | "refundPayment"> {
  return {
    async capturePayment(request, ctx) {
      const method = "CapturePayment";
      check(
        checkIdempotencyKey(request.idempotencyKey),
        uuid(request.paymentIntentId, "paymentIntentId"),
        request.amount ? checkAmount(request.amount, "amount") : [],
      );
      const amount: Money | undefined = request.amount
        ? { amountMinor: request.amount.amountMinor, currency: request.amount.currency }
        : undefined;
      const meta = eventMeta(ctx);
      return runIdempotent(
        deps,
        {
          method,
          key: request.idempotencyKey,
          fingerprint: requestFingerprint(method, {
            paymentIntentId: request.paymentIntentId,
            amountMinor: amount?.amountMinor,
            currency: amount?.currency,
          }),
          response: CapturePaymentResponseSchema,
          intentId: request.paymentIntentId,
        },
        async (tx, locked) => {
          const current = foundIntent(locked, request.paymentIntentId);
          const change = captureIntent(current, amount, { now: new Date(), newId });
          await providerOf(deps, current).adapter.capture(
            {
              reference: current.providerReference,
              amount: { amountMinor: change.intent.capturedAmount, currency: current.currency },
            },
            { idempotencyKey: providerIdempotencyKey(method, request.idempotencyKey), signal: ctx.signal },
          );
          tx.saveChange(current, change, meta);
          return { response: { paymentIntent: intentMessage(change.intent) }, paymentIntentId: current.id };
        },
      );
    },

    async voidPayment(request, ctx) {
      const method = "VoidPayment";
      check(
        checkIdempotencyKey(request.idempotencyKey),
        uuid(request.paymentIntentId, "paymentIntentId"),
        checkReason(request.reason, "reason"),
      );
      const meta = eventMeta(ctx);
      return runIdempotent(
        deps,
        {
          method,
          key: request.idempotencyKey,
          fingerprint: requestFingerprint(method, {
            paymentIntentId: request.paymentIntentId,
            reason: request.reason,
          }),
          response: VoidPaymentResponseSchema,
          intentId: request.paymentIntentId,
        },
        async (tx, locked) => {
          const current = foundIntent(locked, request.paymentIntentId);
          const change = voidIntent(current, request.reason, { now: new Date(), newId });
          if (change.intent !== current) {
            await providerOf(deps, current).adapter.void(
              { reference: current.providerReference },
              { idempotencyKey: providerIdempotencyKey(method, request.idempotencyKey), signal: ctx.signal },
            );
            tx.saveChange(current, change, meta);
          }
          return { response: { paymentIntent: intentMessage(change.intent) }, paymentIntentId: current.id };
        },
      );
    },

    async refundPayment(request, ctx) {
      const method = "RefundPayment";
      check(
        checkIdempotencyKey(request.idempotencyKey),
        uuid(request.paymentIntentId, "paymentIntentId"),
        checkAmount(request.amount, "amount"),
        checkReason(request.reason, "reason"),
      );
      const amount = request.amount as Money;
      const meta = eventMeta(ctx);
      return runIdempotent(
        deps,
        {
          method,
          key: request.idempotencyKey,
          fingerprint: requestFingerprint(method, {
            paymentIntentId: request.paymentIntentId,
            amountMinor: amount.amountMinor,
            currency: amount.currency,
            reason: request.reason,
          }),
          response: RefundPaymentResponseSchema,
          intentId: request.paymentIntentId,
        },
        async (tx, locked) => {
          const current = foundIntent(locked, request.paymentIntentId);
          const change = refundIntent(
            current,
            { amountMinor: amount.amountMinor, currency: amount.currency },
            request.reason,
            { now: new Date(), newId },
          );
          const receipt = await providerOf(deps, current).adapter.refund(
            {
              reference: current.providerReference,
              amount: { amountMinor: amount.amountMinor, currency: current.currency },
            },
            { idempotencyKey: providerIdempotencyKey(method, request.idempotencyKey), signal: ctx.signal },
          );
          const refund = { ...change.refund, providerReference: receipt.reference };
          tx.saveChange(current, { ...change, refund }, meta);
          return {
            response: { paymentIntent: intentMessage(change.intent), refund: refundMessage(refund) },
            paymentIntentId: current.id,
          };
        },
      );
    },
  };
}
