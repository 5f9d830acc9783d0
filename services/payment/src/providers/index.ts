import type { Logger } from "@shopmesh/kit/log";
import type { PaymentConfig } from "../config.ts";
import { createProviderRegistry, type ProviderRegistry } from "./provider.ts";
import { createSandboxProvider } from "./sandbox.ts";

export type {
  AuthorizeRequest,
  PaymentProvider,
  ProviderCallOptions,
  ProviderReceipt,
  ProviderRegistry,
  RegisteredProvider,
} from "./provider.ts";
export { createProviderRegistry } from "./provider.ts";
export { createSandboxProvider, SANDBOX } from "./sandbox.ts";
export { WEBHOOK_SIGNATURE_HEADER } from "./sandbox-webhooks.ts";

/** The provider of an AuthorizePayment request that names none. */
export const DEFAULT_PROVIDER = "sandbox";

/** The providers of this deployment, from configuration: the sandbox (a real adapter goes beside it). */
export function createProviders(config: PaymentConfig, logger: Logger): ProviderRegistry {
  return createProviderRegistry([
    {
      adapter: createSandboxProvider({
        webhookSecret: config.SANDBOX_WEBHOOK_SECRET,
        ...(config.SANDBOX_WEBHOOK_URL ? { webhookUrl: config.SANDBOX_WEBHOOK_URL } : {}),
        confirmDelayMs: config.SANDBOX_CONFIRM_DELAY_MS,
        logger,
      }),
      webhookSecret: config.SANDBOX_WEBHOOK_SECRET,
    },
  ]);
}
