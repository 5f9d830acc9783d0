import type { Db } from "@shopmesh/kit/db";
import {
  type ConsumedEvent,
  createConsumer,
  type NatsConnection,
  on,
  streamName,
  streamState,
} from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import type { Metrics } from "@shopmesh/kit/metrics";
import type { AuditedEvent } from "./domain/audited-event.ts";
import type { AuditStore } from "./store/index.ts";
import { type AuditedContext, eventSchemas } from "./streams.ts";

/**
 * The audit service consumes every event of every audited context: one durable pull consumer per
 * stream ("audit-<context>"), each event appended to the chain together with its projection
 * changes and the inbox row in one transaction, so a redelivery has no second effect. Audit
 * publishes no events.
 *
 * A stream that does not exist yet (its context is not deployed, or has not published) is
 * waited for, not created: the publisher owns its stream's settings. Each consumer attaches when
 * its stream appears and retries with backoff when attaching fails, so the service starts and
 * serves whatever NATS holds.
 */

/** The durable consumer of one context's stream. */
export function durableName(context: string): string {
  return `audit-${context}`;
}

/** Where each audited stream stands. */
export interface StreamStatus {
  context: string;
  stream: string;
  /** "waiting" until the stream exists and the consumer is attached. */
  state: "waiting" | "attached" | "stopped";
}

export interface AuditConsumers {
  /** Starts attaching every consumer; resolves at once (attaching goes on in the background). */
  start(): void;
  /** Stops waiting and consuming; waits for the events in hand. */
  stop(): Promise<void>;
  status(): StreamStatus[];
}

export interface AuditConsumersOptions {
  nats: NatsConnection;
  db: Db;
  prefix: string;
  store: AuditStore;
  contexts: readonly AuditedContext[];
  logger: Logger;
  metrics?: Pick<Metrics, "eventsConsumed" | "eventLag">;
  /** How often a missing stream is looked for, and the longest retry delay; default 10 s. */
  pollMs?: number;
  /** Deliveries before an event that fails is dead-lettered; default 5 (the kit's). */
  maxDeliver?: number;
  /** Redelivery delays; default the kit's. */
  backoffMs?: readonly number[];
}

export function createAuditConsumers(options: AuditConsumersOptions): AuditConsumers {
  const { nats, prefix, store, logger } = options;
  const pollMs = options.pollMs ?? 10_000;
  const log = logger.child({ component: "audit-consumers" });
  const attachments = options.contexts.map((context) => {
    const consumer = createConsumer({
      nats,
      db: options.db,
      prefix,
      context: context.context,
      durable: durableName(context.context),
      logger,
      ...(options.maxDeliver ? { maxDeliver: options.maxDeliver } : {}),
      ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
      handlers: eventSchemas(context).map((schema) =>
        on(schema, async (event, em) => {
          await store.record(em, auditedEvent(event, context.context, schema));
        }),
      ),
      onEvent(outcome) {
        options.metrics?.eventsConsumed.inc({
          type: outcome.type,
          consumer: durableName(context.context),
          outcome: outcome.result,
        });
        if (outcome.lagMs !== undefined && outcome.result === "processed") {
          options.metrics?.eventLag.observe({ consumer: durableName(context.context) }, outcome.lagMs / 1000);
        }
      },
    });
    const status: StreamStatus = {
      context: context.context,
      stream: streamName(prefix, context.context),
      state: "waiting",
    };
    return { consumer, status };
  });

  let stopping = false;
  let wake: (() => void) | undefined;
  let attaching: Promise<void> | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /** Attaches every waiting consumer whose stream exists, until all are attached or we stop. */
  const attachAll = async () => {
    let delay = Math.min(1_000, pollMs);
    while (!stopping) {
      let failed = false;
      for (const { consumer, status } of attachments) {
        if (stopping || status.state !== "waiting") continue;
        try {
          if (!(await streamState(nats, prefix, status.context))) continue;
          await consumer.start();
          status.state = "attached";
          log.info({ stream: status.stream }, "auditing stream");
        } catch (err) {
          failed = true;
          log.warn(
            { err, stream: status.stream, retryInMs: delay },
            "could not attach to stream; will retry",
          );
        }
      }
      if (attachments.every(({ status }) => status.state !== "waiting")) return;
      await sleep(failed ? delay : pollMs);
      delay = failed ? Math.min(delay * 2, pollMs) : Math.min(1_000, pollMs);
    }
  };

  return {
    start() {
      stopping = false;
      attaching ??= attachAll().catch((err) => log.error({ err }, "attaching stopped"));
    },
    async stop() {
      stopping = true;
      wake?.();
      await attaching;
      attaching = undefined;
      await Promise.all(
        attachments.map(async ({ consumer, status }) => {
          await consumer.stop();
          status.state = "stopped";
        }),
      );
    },
    status: () => attachments.map(({ status }) => ({ ...status })),
  };
}

/** The audited view of a consumed event. */
function auditedEvent(event: ConsumedEvent, context: string, schema: AuditedEvent["schema"]): AuditedEvent {
  return {
    id: event.id,
    type: event.type,
    context,
    subject: event.subject,
    time: event.time,
    actor: event.meta.actor ?? "",
    correlationId: event.meta.correlationId ?? "",
    causationId: event.meta.causationId ?? "",
    schema,
    data: event.data,
  };
}
