import type { Money } from "../domain/money.ts";
import type { AuthorizationOutcome } from "../domain/payment-intent.ts";
import type { WebhookEvent } from "../domain/webhook-event.ts";

/**
 * The adapter between payment and a payment processor. Payment calls it inside the transaction
 * that records the result, serialised per idempotency key, and passes the provider an
 * idempotency key of its own (stable for the caller's key) so that a processor honouring keys
 * never charges twice for one request, even when payment crashes between the answer and its
 * commit and the caller retries.
 *
 * Adapters answer what the processor decided (an authorisation, a decline) and throw the kit's
 * DomainError for what it could not decide: `unavailable` (processorUnavailable) when the
 * processor failed or cannot be reached, which payment never records, and `invalid` for a
 * request the processor refuses to consider (an unknown token).
 */
export interface PaymentProvider {
  /** The name callers use ("sandbox"): AuthorizePaymentRequest.provider and the webhook path. */
  readonly name: string;
  /** Holds `amount` on the payment method behind `paymentToken`. */
  authorize(request: AuthorizeRequest, options: ProviderCallOptions): Promise<AuthorizationOutcome>;
  /** Takes `amount` (at most the authorised amount) of an authorisation. */
  capture(
    request: { reference: string; amount: Money },
    options: ProviderCallOptions,
  ): Promise<ProviderReceipt>;
  /** Releases an authorisation (or cancels one awaiting confirmation). */
  void(request: { reference: string }, options: ProviderCallOptions): Promise<ProviderReceipt>;
  /** Gives `amount` of a capture back to the customer. */
  refund(
    request: { reference: string; amount: Money },
    options: ProviderCallOptions,
  ): Promise<ProviderReceipt>;
  /**
   * Reads a webhook body whose signature payment has verified already; throws `invalid` for a
   * body it cannot read.
   */
  parseWebhook(payload: Uint8Array): WebhookEvent;
  /** Stops background work (timers, deliveries in flight). */
  close(): Promise<void>;
}

export interface AuthorizeRequest {
  amount: Money;
  /** The processor's token for the payment method: never stored by payment. */
  paymentToken: string;
  orderId: string;
  /** "" for a guest. */
  customerId: string;
}

export interface ProviderCallOptions {
  /** The provider-side idempotency key of this operation (providerIdempotencyKey). */
  idempotencyKey: string;
  /** Aborted when the caller gave up; adapters pass it to their HTTP client. */
  signal?: AbortSignal;
}

/** The processor's reference of what it did (a charge, a refund), for reconciliation. */
export interface ProviderReceipt {
  reference: string;
}

/** A provider payment may use, with the secret its webhooks are signed with. */
export interface RegisteredProvider {
  adapter: PaymentProvider;
  webhookSecret: string;
}

/** The providers of this deployment, by name. */
export interface ProviderRegistry {
  get(name: string): RegisteredProvider | undefined;
  names(): string[];
  close(): Promise<void>;
}

/** A registry over the given providers. */
export function createProviderRegistry(providers: readonly RegisteredProvider[]): ProviderRegistry {
  const byName = new Map(providers.map((provider) => [provider.adapter.name, provider]));
  return {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],
    async close() {
      await Promise.all(providers.map((provider) => provider.adapter.close()));
    },
  };
}
