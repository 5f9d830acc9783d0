import { createHash } from "node:crypto";
import { invalidField } from "@shopmesh/kit/errors";
import type { Logger } from "@shopmesh/kit/log";
import { processorUnavailable } from "../domain/errors.ts";
import { SANDBOX_CARDS, sandboxCard } from "../domain/sandbox-tokens.ts";
import { PAYMENT_SUCCEEDED, parseWebhookEvent } from "../domain/webhook-event.ts";
import type { PaymentProvider } from "./provider.ts";
import { createWebhookSender, type WebhookSender } from "./sandbox-webhooks.ts";

export const SANDBOX = "sandbox";

export interface SandboxOptions {
  /** Signs the webhooks it sends itself. */
  webhookSecret: string;
  /**
   * Where to deliver the confirmation of tok_sandbox_async payments; unset, nothing is sent
   * and the payment waits for a webhook from elsewhere (a test, curl).
   */
  webhookUrl?: string;
  /** How long after the authorisation the confirmation is sent. */
  confirmDelayMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}

/**
 * The built-in sandbox provider: a card processor that decides by token (domain/sandbox-tokens.ts)
 * and keeps no state. Like a processor honouring idempotency keys, the same provider key always
 * gets the same reference: `pi_sbx_<hash of the key>` for payments, `ch_sbx_…`/`re_sbx_…` for
 * captures and refunds. It enforces no amounts itself: payment's aggregate does.
 */
export function createSandboxProvider(options: SandboxOptions): PaymentProvider {
  const sender: WebhookSender | undefined = options.webhookUrl
    ? createWebhookSender({
        url: options.webhookUrl,
        secret: options.webhookSecret,
        delayMs: options.confirmDelayMs,
        logger: options.logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : undefined;

  return {
    name: SANDBOX,
    async authorize(request, { idempotencyKey }) {
      const card = sandboxCard(request.paymentToken);
      if (!card) {
        throw invalidField(
          "paymentToken",
          `is not a sandbox test token (${SANDBOX_CARDS.map((c) => c.token).join(", ")})`,
        );
      }
      const reference = `pi_sbx_${digest(idempotencyKey)}`;
      const method = { reference, brand: card.brand, last4: card.last4 };
      switch (card.behaviour) {
        case "authorize":
          return { status: "authorized", ...method };
        case "decline":
          return {
            status: "declined",
            ...method,
            declineCode: card.declineCode ?? "card_declined",
            message: card.message ?? "the card was declined",
          };
        case "processor_error":
          throw processorUnavailable(
            "the sandbox processor failed (tok_sandbox_processor_error fails every time); retry later with the same idempotency key",
          );
        case "confirm_async":
          sender?.send({ type: PAYMENT_SUCCEEDED, data: { reference } });
          return { status: "requires_confirmation", ...method };
      }
    },
    async capture(_request, { idempotencyKey }) {
      return { reference: `ch_sbx_${digest(idempotencyKey)}` };
    },
    async void(request) {
      return { reference: request.reference };
    },
    async refund(_request, { idempotencyKey }) {
      return { reference: `re_sbx_${digest(idempotencyKey)}` };
    },
    parseWebhook: parseWebhookEvent,
    async close() {
      await sender?.close();
    },
  };
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 24);
}
