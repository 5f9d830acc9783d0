import type { Logger } from "@shopmesh/kit/log";
import { createPeriodicTask } from "@shopmesh/kit/periodic";
import { providerIdempotencyKey } from "./domain/idempotency.ts";
import { CONFIRMATION_TIMEOUT, failIntent } from "./domain/payment-intent.ts";
import { SWEEPER_META } from "./events.ts";
import type { ProviderRegistry } from "./providers/index.ts";
import type { PaymentStore } from "./store/index.ts";

/** Fails payments whose provider did not confirm them in time, in the background. */
export interface ConfirmationSweeper {
  /** Sweeps every `intervalMs` until stopped. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
  /** Fails every intent unconfirmed for longer than the timeout at `now` (default: the clock); resolves with how many. */
  sweep(now?: Date): Promise<number>;
}

export interface ConfirmationSweeperOptions {
  store: PaymentStore;
  providers: ProviderRegistry;
  logger: Logger;
  intervalMs: number;
  /** How long an intent may stay REQUIRES_CONFIRMATION after its creation. */
  timeoutMs: number;
  /** Intents failed per transaction; default 100. */
  batchSize?: number;
  /** Called after each batch with how many failed. */
  onExpired?(count: number): void;
}

/**
 * Creates the sweeper that turns REQUIRES_CONFIRMATION intents older than the timeout into
 * FAILED ones with failure_code "confirmation_timeout", recording PaymentFailed. Each is cancelled
 * at its provider first (a void with a key of its own), so a processor that honours it will not
 * confirm the payment later; a confirmation that comes anyway changes nothing.
 *
 * Safe with several replicas and beside webhooks: each batch is claimed with SELECT ... FOR
 * UPDATE SKIP LOCKED, so an intent a webhook is confirming right now is skipped (and, confirmed,
 * is not seen again).
 */
export function createConfirmationSweeper(options: ConfirmationSweeperOptions): ConfirmationSweeper {
  const { store, providers, logger, intervalMs, timeoutMs } = options;
  const batchSize = options.batchSize ?? 100;
  const message = `the provider did not confirm the payment within ${Math.round(timeoutMs / 1000)} s`;

  async function sweepOnce(now: Date): Promise<number> {
    const createdBefore = new Date(now.getTime() - timeoutMs);
    let total = 0;
    for (;;) {
      const failed = await store.transaction(async (tx) => {
        const due = await tx.intents.claimUnconfirmed(createdBefore, batchSize);
        for (const intent of due) {
          await providers
            .get(intent.provider)
            ?.adapter.void(
              { reference: intent.providerReference },
              { idempotencyKey: providerIdempotencyKey("ConfirmationTimeout", intent.id) },
            );
          tx.saveChange(intent, failIntent(intent, CONFIRMATION_TIMEOUT, message, now), SWEEPER_META);
        }
        return due.length;
      });
      if (failed > 0) options.onExpired?.(failed);
      total += failed;
      if (failed < batchSize) return total;
    }
  }

  const task = createPeriodicTask({
    intervalMs: intervalMs,
    logger,
    run: (now: Date = new Date()) => sweepOnce(now),
    done: "unconfirmed payments failed (confirmation_timeout)",
    failed: "confirmation sweep failed",
  });
  return { start: task.start, stop: task.stop, sweep: task.run };
}
