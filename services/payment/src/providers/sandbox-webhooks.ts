import { randomBytes } from "node:crypto";
import type { Logger } from "@shopmesh/kit/log";
import { signWebhook } from "@shopmesh/kit/webhooks";

/** The header the BFF reads a webhook's signature from (bff/src/routes/webhooks.ts). */
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** Sends the sandbox's own webhooks, as a real processor's servers would. */
export interface WebhookSender {
  /** Delivers `event` after the configured delay, retrying failed deliveries; never throws. */
  send(event: { type: string; data: Record<string, string> }): void;
  /** Cancels deliveries not made yet and aborts those in flight. */
  close(): Promise<void>;
}

export interface WebhookSenderOptions {
  /** Where to POST (the BFF's /webhooks/payments/sandbox). */
  url: string;
  secret: string;
  delayMs: number;
  logger: Logger;
  /** Deliveries per event before giving up; default 6. */
  attempts?: number;
  /** First retry delay, doubled per attempt; default 500 ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
}

/**
 * Creates the sender of sandbox webhooks: each event gets an id (`evt_sbx_…`) and its creation
 * time, is signed with the webhook secret at each delivery (`t=<now>,v1=…`), and is delivered
 * again with the same id after a failure (a non-2xx answer or a network error), like real
 * processors do. A retry also covers the webhook racing the commit of the payment it confirms:
 * payment answers NOT_FOUND until that payment is visible.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const attempts = options.attempts ?? 6;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const post = options.fetch ?? fetch;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<AbortController>();
  let closed = false;

  function schedule(delayMs: number, run: () => Promise<void>): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, delayMs);
    timer.unref();
    timers.add(timer);
  }

  async function deliver(event: object & { id: string }, attempt: number): Promise<void> {
    const body = JSON.stringify(event);
    const controller = new AbortController();
    inFlight.add(controller);
    let failure: string;
    try {
      const response = await post(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(options.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) {
        options.logger.debug({ eventId: event.id, attempt }, "sandbox webhook delivered");
        return;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      if (closed) return;
      failure = (error as Error)?.message ?? String(error);
    } finally {
      inFlight.delete(controller);
    }
    if (attempt >= attempts) {
      options.logger.warn(
        { eventId: event.id, attempts, failure },
        "sandbox webhook not delivered; giving up",
      );
      return;
    }
    options.logger.info({ eventId: event.id, attempt, failure }, "sandbox webhook delivery failed; retrying");
    schedule(retryBaseMs * 2 ** (attempt - 1), () => deliver(event, attempt + 1));
  }

  return {
    send(event) {
      const full = {
        id: `evt_sbx_${randomBytes(12).toString("hex")}`,
        type: event.type,
        data: event.data,
        created: Math.floor(Date.now() / 1000),
      };
      schedule(options.delayMs, () => deliver(full, 1));
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort();
    },
  };
}
