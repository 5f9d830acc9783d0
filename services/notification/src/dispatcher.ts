import { watchCommittedInserts } from "@shopmesh/kit/db";
import type { Logger } from "@shopmesh/kit/log";
import { type ChannelProviders, SendError } from "./channels/index.ts";
import {
  type AttemptFacts,
  type Delivery,
  type DeliveryChange,
  deliveryFailed,
  deliverySent,
  type RetryPolicy,
} from "./domain/delivery.ts";
import { DISPATCHER_META } from "./events.ts";
import type { RecipientResolver } from "./recipients.ts";
import type { NotificationStore } from "./store/index.ts";
import { TemplateError, type TemplateLibrary } from "./templates/library.ts";

/** Sends queued deliveries in the background. */
export interface Dispatcher {
  /** Listens for new deliveries and sends whatever is due until stopped. */
  start(): Promise<void>;
  /** Stops taking deliveries and waits for the sends in progress. */
  stop(): Promise<void>;
  /** Sends every delivery due now (works with or without start); resolves with how many were tried. */
  drain(): Promise<number>;
}

export interface DispatcherOptions {
  store: NotificationStore;
  library: TemplateLibrary;
  providers: ChannelProviders;
  recipients: RecipientResolver;
  policy: RetryPolicy;
  /** How long a claimed delivery is held before another dispatcher may try it. */
  leaseMs: number;
  /**
   * Scan interval for retries coming due and deliveries other processes queued; those this
   * process commits wake the dispatcher at once.
   */
  pollMs: number;
  /** Sends in flight at once. */
  concurrency: number;
  /** Message-ID domain: <delivery id@domain>. */
  messageIdDomain: string;
  logger: Logger;
  /** After each attempt: the channel and what became of the delivery. */
  onAttempt?(channel: string, outcome: "sent" | "retry" | "failed" | "dead_letter"): void;
  /** Test seam for the backoff jitter; default Math.random. */
  random?: () => number;
}

/**
 * The dispatcher: takes due deliveries (claimDue: SKIP LOCKED plus a lease, so several replicas
 * share the queue and a crashed one's deliveries come due again when the lease ends), resolves
 * each recipient, renders the template in their locale, hands the message to the channel's
 * provider and records the outcome: SENT, a retry with jittered exponential backoff, FAILED for
 * what cannot be sent, or DEAD_LETTER (with DeliveryDeadLettered) after the last attempt.
 *
 * The one window for a second copy: the provider accepted the message and the process died
 * before SENT was written. The delivery then comes due again and is sent again; its email keeps
 * the same Message-ID (<delivery id@domain>), which mail systems use to recognise the copy.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, library, providers, recipients, logger, policy } = options;
  const random = options.random ?? Math.random;
  const log = logger.child({ component: "dispatcher" });
  let running = false;
  let loop: Promise<void> | undefined;
  let unwatch: (() => void) | undefined;
  let wakeRequested = false;
  let wakeUp: (() => void) | undefined;
  let draining: Promise<number> | undefined;

  const wake = () => {
    wakeRequested = true;
    wakeUp?.();
  };

  async function attempt(delivery: Delivery): Promise<void> {
    let facts: Partial<AttemptFacts> = {};
    let change: DeliveryChange;
    const now = () => new Date();
    try {
      const target = await recipients.resolve(delivery);
      facts = { recipient: target.address, locale: target.locale };
      const rendered = library.render({
        type: delivery.type,
        channel: delivery.channel,
        locale: target.locale,
        data: delivery.data,
        recipient: { name: target.name, email: target.email },
      });
      const subject = rendered.parts.subject ?? rendered.parts.title ?? "";
      facts = { recipient: target.address, locale: rendered.locale, subject };
      const result = await providers[delivery.channel].send({
        deliveryId: delivery.id,
        channel: delivery.channel,
        type: delivery.type,
        to: target.address,
        messageId: `<${delivery.id}@${options.messageIdDomain}>`,
        locale: rendered.locale,
        ...rendered.parts,
      });
      change = deliverySent(
        delivery,
        { recipient: target.address, locale: rendered.locale, subject },
        result.providerMessageId,
        now(),
      );
    } catch (error) {
      const failure = classify(error);
      change = deliveryFailed(delivery, failure, facts, policy, now(), random());
      log[failure.permanent ? "warn" : "info"](
        { deliveryId: delivery.id, channel: delivery.channel, attempts: delivery.attempts, err: error },
        `delivery attempt failed${change.delivery.state === "queued" ? "; will retry" : ""}`,
      );
    }
    const saved = await store.transaction(async (tx) => {
      if (!(await tx.deliveries.saveAttempt(change.delivery))) return false;
      tx.record(change.events, DISPATCHER_META);
      return true;
    });
    if (!saved) {
      log.warn(
        { deliveryId: delivery.id },
        "delivery changed during the attempt (lease ran out?); outcome not recorded",
      );
      return;
    }
    const state = change.delivery.state;
    options.onAttempt?.(delivery.channel, state === "queued" ? "retry" : state === "sent" ? "sent" : state);
  }

  /** Claims and sends batches until nothing is due. */
  async function drainOnce(): Promise<number> {
    let total = 0;
    const batch = Math.max(options.concurrency * 4, 16);
    for (;;) {
      const due = await store.read().deliveries.claimDue(batch, options.leaseMs);
      if (due.length === 0) return total;
      total += due.length;
      const queue = [...due];
      const workers = Array.from({ length: Math.min(options.concurrency, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await attempt(next).catch((error: unknown) =>
            log.error(
              { err: error, deliveryId: next?.id },
              "delivery attempt could not be recorded; its lease will bring it back",
            ),
          );
        }
      });
      await Promise.all(workers);
      if (due.length < batch || !running) return total;
    }
  }

  function drain(): Promise<number> {
    const run = (draining ?? Promise.resolve(0)).catch(() => 0).then(drainOnce);
    draining = run;
    return run.finally(() => {
      if (draining === run) draining = undefined;
    });
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      wakeRequested = false;
      try {
        await drain();
        failures = 0;
      } catch (error) {
        failures++;
        log.error({ err: error }, "dispatching failed; retrying");
      }
      if (!running) break;
      if (wakeRequested) continue;
      await sleep(failures > 0 ? Math.min(30_000, options.pollMs * 2 ** failures) : options.pollMs);
    }
  }

  return {
    async start() {
      if (running) return;
      unwatch = watchCommittedInserts("deliveries", wake);
      running = true;
      loop = run();
    },
    async stop() {
      if (!running) return;
      running = false;
      wake();
      await loop;
      await draining?.catch(() => undefined);
      unwatch?.();
      unwatch = undefined;
      loop = undefined;
    },
    drain,
  };
}

/** What kind of failure an attempt met. */
function classify(error: unknown): { message: string; permanent: boolean } {
  if (error instanceof SendError) return { message: error.message, permanent: error.permanent };
  // A template that does not render will not render on the next try either; an admin re-drives
  // it once the template is fixed.
  if (error instanceof TemplateError) return { message: error.message, permanent: true };
  return { message: (error as Error)?.message ?? String(error), permanent: false };
}
