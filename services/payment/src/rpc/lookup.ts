import { notFound } from "@shopmesh/kit/errors";
import { processorUnavailable } from "../domain/errors.ts";
import type { PaymentIntent } from "../domain/payment-intent.ts";
import type { RegisteredProvider } from "../providers/index.ts";
import type { Repositories } from "../store/index.ts";
import type { PaymentDeps } from "./deps.ts";

/** The intent `id`; NOT_FOUND when there is none. */
export async function existingIntent(repos: Repositories, id: string): Promise<PaymentIntent> {
  return foundIntent(await repos.intents.byId(id), id);
}

/** `intent`, found (and locked, by runIdempotent's intentId) as `id`; NOT_FOUND when it was not. */
export function foundIntent(intent: PaymentIntent | undefined, id: string): PaymentIntent {
  if (!intent) throw notFound(`payment intent ${id} not found`);
  return intent;
}

/**
 * The provider an existing intent was authorised with. One missing from this deployment's
 * configuration is UNAVAILABLE (and kept under no key): it may be configured again.
 */
export function providerOf(deps: Pick<PaymentDeps, "providers">, intent: PaymentIntent): RegisteredProvider {
  const provider = deps.providers.get(intent.provider);
  if (!provider) throw processorUnavailable(`payment provider ${intent.provider} is not configured`);
  return provider;
}
