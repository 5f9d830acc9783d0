import type { Counter } from "@shopmesh/kit/metrics";
import type { ProviderRegistry } from "../providers/index.ts";
import type { PaymentStore } from "../store/index.ts";

/** What the handlers work with. */
export interface PaymentDeps {
  store: PaymentStore;
  providers: ProviderRegistry;
  /** AuthorizePayment decisions of providers: authorized, requires_confirmation, declined. */
  authorizations?: Counter<"outcome">;
  /** Calls answered from an idempotency key's kept answer, by method. */
  replays?: Counter<"method">;
  /** Provider webhooks by outcome: applied, ignored, duplicate, rejected. */
  webhooks?: Counter<"outcome">;
}
