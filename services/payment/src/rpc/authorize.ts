import {
  AuthorizePaymentResponseSchema,
  type PaymentService,
} from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { type FieldViolation, invalidField } from "@shopmesh/kit/errors";
import { newId } from "@shopmesh/kit/ids";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { checkIdempotencyKey, providerIdempotencyKey, requestFingerprint } from "../domain/idempotency.ts";
import { checkAmount, type Money } from "../domain/money.ts";
import { declineError, intentMessage, openIntent } from "../domain/payment-intent.ts";
import { eventMeta } from "../events.ts";
import { DEFAULT_PROVIDER } from "../providers/index.ts";
import type { PaymentDeps } from "./deps.ts";
import { check, optionalUuid, uuid } from "./fields.ts";
import { runIdempotent } from "./idempotent.ts";

type Handlers = ServiceHandlers<typeof PaymentService>;

const METHOD = "AuthorizePayment";
const MAX_TOKEN_LENGTH = 255;

/**
 * AuthorizePayment, called by the order service's checkout saga. The provider decides under the
 * key's lock, and the intent it produced (AUTHORIZED, REQUIRES_CONFIRMATION or FAILED), its
 * ledger entry, its event and the answer under the key commit together.
 */
export function authorizeHandlers(deps: PaymentDeps): Pick<Handlers, "authorizePayment"> {
  return {
    async authorizePayment(request, ctx) {
      const providerName = request.provider || DEFAULT_PROVIDER;
      check(
        checkIdempotencyKey(request.idempotencyKey),
        uuid(request.orderId, "orderId"),
        optionalUuid(request.customerId, "customerId"),
        checkAmount(request.amount, "amount"),
        checkToken(request.paymentToken),
      );
      const provider = deps.providers.get(providerName);
      if (!provider) {
        throw invalidField(
          "provider",
          `is not a provider of this deployment (${deps.providers.names().join(", ")})`,
        );
      }
      const amount = request.amount as Money;
      const meta = eventMeta(ctx);
      return runIdempotent(
        deps,
        {
          method: METHOD,
          key: request.idempotencyKey,
          // The token enters only this hash: payment never stores it.
          fingerprint: requestFingerprint(METHOD, {
            orderId: request.orderId,
            customerId: request.customerId,
            amountMinor: amount.amountMinor,
            currency: amount.currency,
            paymentToken: request.paymentToken,
            provider: providerName,
          }),
          response: AuthorizePaymentResponseSchema,
        },
        async (tx) => {
          const outcome = await provider.adapter.authorize(
            {
              amount,
              paymentToken: request.paymentToken,
              orderId: request.orderId,
              customerId: request.customerId,
            },
            { idempotencyKey: providerIdempotencyKey(METHOD, request.idempotencyKey), signal: ctx.signal },
          );
          const change = openIntent(
            {
              id: newId(),
              orderId: request.orderId,
              customerId: request.customerId,
              provider: providerName,
              amount: { amountMinor: amount.amountMinor, currency: amount.currency },
            },
            outcome,
            { now: new Date(), newId },
          );
          tx.saveChange(undefined, change, meta);
          const { intent } = change;
          deps.authorizations?.inc({ outcome: outcome.status });
          if (intent.status === "failed") return { error: declineError(intent), paymentIntentId: intent.id };
          return { response: { paymentIntent: intentMessage(intent) }, paymentIntentId: intent.id };
        },
      );
    },
  };
}

/** Violations of a payment token's shape; whether the provider knows it is the provider's to say. */
function checkToken(token: string): FieldViolation[] {
  if (token === "") return [{ field: "paymentToken", description: "is required" }];
  if (token.length > MAX_TOKEN_LENGTH) {
    return [{ field: "paymentToken", description: `must be at most ${MAX_TOKEN_LENGTH} characters` }];
  }
  return [];
}
