import {
  createRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  type MessageShape,
  type Registry,
} from "@bufbuild/protobuf";
import type { EntityManager } from "@mikro-orm/postgresql";
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import type { Db } from "../db/index.ts";
import { isUnavailableError, quoteIdent } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import { publishDeadLetter } from "./dead-letter.ts";
import { type EventMeta, readEnvelope } from "./envelope.ts";
import { checkContext, checkDurable, checkToken, contextSubjects, streamName } from "./naming.ts";
import { ensureDeadLetterStream, ensureStream } from "./streams.ts";

/** One event as a handler sees it. */
export interface ConsumedEvent<T extends Message = Message> {
  /** ce-id: the event id, unique per event (the inbox key). */
  id: string;
  /** ce-type: the proto full name. */
  type: string;
  /** ce-subject: the id of the aggregate the event is about. */
  subject: string;
  /** ce-time: when the event was recorded. */
  time: Date;
  data: T;
  /** Every NATS header of the message. */
  headers: Record<string, string>;
  meta: EventMeta;
  /** The NATS subject it arrived on. */
  natsSubject: string;
  /** 1 on first delivery. */
  deliveries: number;
}

/**
 * Handles one event type. With a `db`, `em` is the transaction that also records the event in the
 * inbox: write the effect through it and a redelivery will have no second effect.
 */
export type EventHandler<T extends Message = Message, Em = EntityManager> = (
  event: ConsumedEvent<T>,
  em: Em,
) => Promise<void>;

export interface HandlerEntry<Em = EntityManager> {
  schema: DescMessage;
  handle: EventHandler<Message, Em>;
  /** See HandlerOptions. */
  idempotent?: boolean;
}

export interface HandlerOptions {
  /**
   * The handler's effect may be applied twice without harm (a wake-up, a mark): with a `db` it
   * runs without an inbox row and outside a transaction — `em` is a fresh EntityManager whose
   * statements commit one by one — so a redelivery runs it again. Saves the inbox transaction
   * (BEGIN, inbox insert, COMMIT) on hot events.
   */
  idempotent?: boolean;
}

/**
 * A typed handler entry; its schema also decodes the body, so no registry is needed.
 *
 *   handlers: [on(UserRegisteredSchema, async (event, em) => { event.data.email ... })]
 */
export function on<S extends DescMessage, Em = EntityManager>(
  schema: S,
  handle: EventHandler<MessageShape<S>, Em>,
  options: HandlerOptions = {},
): HandlerEntry<Em> {
  return {
    schema,
    handle: handle as EventHandler<Message, Em>,
    ...(options.idempotent ? { idempotent: true } : {}),
  };
}

/** Handlers by ce-type, or a list of `on(...)` entries. Events of other types are acked and skipped. */
export type EventHandlers<Em> = Record<string, EventHandler<Message, Em>> | readonly HandlerEntry<Em>[];

/** What happened to one delivery, for metrics. */
export interface ConsumeOutcome {
  type: string;
  result: "processed" | "duplicate" | "skipped" | "retry" | "dead_letter";
  ms: number;
  /** From ce-time to the end of handling. */
  lagMs?: number;
}

interface ConsumerOptionsBase {
  nats: NatsConnection;
  /** Subject prefix (config EVENTS_PREFIX). */
  prefix: string;
  /** The publishing context whose stream is consumed ("identity"). */
  context: string;
  /** Durable consumer name, unique per consuming service and purpose ("notification-mailer"). */
  durable: string;
  /** Narrows the subjects (one subject or wildcard; nats-server 2.9 takes one); default the whole stream. */
  filterSubject?: string;
  /** Schemas to decode bodies by ce-type, besides those of `on(...)` entries. */
  registry?: Registry | readonly DescMessage[];
  /** Deliveries before a failing event is dead-lettered; default 5. */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failure (last one repeats); default 1 s, 5 s, 15 s, 30 s. */
  backoffMs?: readonly number[];
  /** Redelivery when a handler neither acks nor fails in time; default 30 s. */
  ackWaitMs?: number;
  /** Events handled at once; default 1 (in stream order). */
  concurrency?: number;
  logger: Logger;
  onEvent?(outcome: ConsumeOutcome): void;
}

export interface DbConsumerOptions extends ConsumerOptionsBase {
  /**
   * Handler effects and the inbox row are committed in one transaction of this database; its
   * schema needs `EVENTS_MIGRATIONS`.
   */
  db: Db;
  handlers: EventHandlers<EntityManager>;
  /** Inbox rows older than this are deleted; default 7 days (JetStream redelivers within minutes). */
  inboxRetainHours?: number;
}

export interface PlainConsumerOptions extends ConsumerOptionsBase {
  db?: undefined;
  /** Without a db, handlers must be idempotent on their own (the event id is `event.id`). */
  handlers: EventHandlers<undefined>;
}

export type ConsumerOptions = DbConsumerOptions | PlainConsumerOptions;

export interface EventConsumer {
  /** Creates or updates the durable consumer and starts handling. */
  start(): Promise<void>;
  /** Stops fetching, waits for the events in hand, returns undelivered ones to the server. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF_MS = [1000, 5000, 15_000, 30_000];

class DeadLetter extends Error {}

/**
 * A durable pull consumer with explicit acks. Each event runs its handler once per delivery; with a
 * `db`, the inbox row (consumer, event id) is inserted in the same transaction as the handler's
 * effect, and an event already in the inbox is acked without running the handler again.
 *
 * A handler that throws gets the event again after `backoffMs`; after `maxDeliver` failed deliveries
 * (or at once when the body cannot be decoded or lacks ce-id/ce-type) the event is published as a
 * `shopmesh.common.v1.DeadLetter` to `<prefix>.dlq.<durable>` with the reason, then terminated.
 * Failures because the database is unreachable are retried without counting towards dead-lettering:
 * an outage is not the event's fault.
 */
export function createConsumer(options: ConsumerOptions): EventConsumer {
  const prefix = checkToken(options.prefix, "prefix");
  const context = checkContext(options.context);
  const durable = checkDurable(options.durable);
  const stream = streamName(prefix, context);
  const filterSubject = options.filterSubject ?? contextSubjects(prefix, context);
  if (!filterSubject.startsWith(`${prefix}.${context}.`)) {
    throw new Error(`filterSubject: must be within ${contextSubjects(prefix, context)}`);
  }
  const maxDeliver = options.maxDeliver ?? 5;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1)
    throw new Error("maxDeliver: must be a whole number >= 1");
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (backoffMs.length === 0 || backoffMs.some((ms) => !(ms >= 0))) {
    throw new Error("backoffMs: must be a non-empty list of delays >= 0");
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error("concurrency: must be a whole number >= 1");
  const ackWaitMs = options.ackWaitMs ?? 30_000;

  const handlers = new Map<string, EventHandler<Message, EntityManager | undefined>>();
  /** Types whose handlers run without the inbox (HandlerOptions.idempotent). */
  const withoutInbox = new Set<string>();
  const schemas: DescMessage[] = [];
  if (Array.isArray(options.handlers)) {
    for (const entry of options.handlers as readonly HandlerEntry<EntityManager | undefined>[]) {
      handlers.set(entry.schema.typeName, entry.handle);
      if (entry.idempotent) withoutInbox.add(entry.schema.typeName);
      schemas.push(entry.schema);
    }
  } else {
    for (const [type, handle] of Object.entries(options.handlers)) {
      if (typeof handle !== "function") throw new Error(`handlers.${type}: must be a function`);
      handlers.set(type, handle as EventHandler<Message, EntityManager | undefined>);
    }
  }
  const extra = options.registry;
  const registry = createRegistry(
    ...schemas,
    ...(extra === undefined ? [] : Array.isArray(extra) ? extra : [extra as Registry]),
  );
  for (const type of handlers.keys()) {
    if (!registry.getMessage(type)) throw new Error(`registry: no message schema for handled type ${type}`);
  }

  const db = options.db;
  const inbox = db ? `${quoteIdent(db.schema)}.inbox_events` : "";
  const inboxSql = `insert into ${inbox} (consumer, event_id) values (?, ?) on conflict do nothing returning 1 as inserted`;
  const inboxRetainHours = options.db ? (options.inboxRetainHours ?? 7 * 24) : 7 * 24;
  if (!(inboxRetainHours > 0)) throw new Error("inboxRetainHours: must be a positive number");
  const log = options.logger.child({ component: "event-consumer", durable, stream });

  let js: JetStreamClient | undefined;
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let purgeTimer: NodeJS.Timeout | undefined;

  const purgeInbox = async () => {
    if (!db) return;
    try {
      await db.execute(
        `delete from ${inbox} where consumer = ? and processed_at < now() - make_interval(secs => ?)`,
        [durable, inboxRetainHours * 3600],
      );
    } catch (err) {
      log.warn({ err }, "inbox purge failed");
    }
  };

  const report = (outcome: ConsumeOutcome) => {
    try {
      options.onEvent?.(outcome);
    } catch (err) {
      log.warn({ err }, "onEvent hook failed");
    }
  };

  const delayFor = (deliveries: number) => backoffMs[Math.min(deliveries - 1, backoffMs.length - 1)]!;

  const deadLetter = async (msg: JsMsg, reason: string, eventId: string, eventType: string) => {
    await publishDeadLetter(js!, { prefix, durable, msg, reason, eventId, eventType });
    msg.term();
    log.error({ eventId, eventType, reason, deliveries: msg.info.deliveryCount }, "event dead-lettered");
  };

  const handle = async (msg: JsMsg) => {
    const started = performance.now();
    const envelope = readEnvelope(msg.headers);
    const type = envelope.type ?? "";
    const id = envelope.id ?? "";
    const deliveries = msg.info.deliveryCount;
    const finish = (result: ConsumeOutcome["result"]) =>
      report({
        type,
        result,
        ms: performance.now() - started,
        ...(envelope.time ? { lagMs: Date.now() - envelope.time.getTime() } : {}),
      });
    try {
      if (!id) throw new DeadLetter("missing header ce-id");
      if (!type) throw new DeadLetter("missing header ce-type");
      const handler = handlers.get(type);
      if (!handler) {
        msg.ack();
        finish("skipped");
        return;
      }
      const schema = registry.getMessage(type)!;
      let data: Message;
      try {
        data = fromBinary(schema, msg.data);
      } catch (err) {
        throw new DeadLetter(`cannot decode body as ${type}: ${(err as Error).message}`);
      }
      const event: ConsumedEvent = {
        id,
        type,
        subject: envelope.subject ?? "",
        time: envelope.time ?? msg.time,
        data,
        headers: envelope.headers,
        meta: envelope.meta,
        natsSubject: msg.subject,
        deliveries,
      };
      let duplicate = false;
      if (db && withoutInbox.has(type)) {
        await handler(event, db.em());
      } else if (db) {
        await db.transaction(async (em) => {
          const inserted = await em.execute<{ inserted: number }[]>(inboxSql, [durable, id]);
          if (inserted.length === 0) {
            duplicate = true;
            return;
          }
          await handler(event, em);
        });
      } else {
        await handler(event, undefined);
      }
      msg.ack();
      finish(duplicate ? "duplicate" : "processed");
    } catch (err) {
      if (err instanceof DeadLetter) {
        finish((await deadLetterOrRetry(msg, err.message, id, type, deliveries)) ? "dead_letter" : "retry");
        return;
      }
      const message = (err as Error)?.message ?? String(err);
      if (deliveries >= maxDeliver && !isUnavailableError(err)) {
        const reason = `handler failed on delivery ${deliveries}: ${message}`;
        finish((await deadLetterOrRetry(msg, reason, id, type, deliveries)) ? "dead_letter" : "retry");
        return;
      }
      const delay = isUnavailableError(err) ? backoffMs[backoffMs.length - 1]! : delayFor(deliveries);
      log.warn(
        { err, eventId: id, eventType: type, deliveries, retryInMs: delay },
        "event handler failed; will retry",
      );
      msg.nak(delay);
      finish("retry");
    }
  };

  /** If the dead letter cannot be published, the event stays in the stream and comes back later. */
  const deadLetterOrRetry = async (
    msg: JsMsg,
    reason: string,
    id: string,
    type: string,
    deliveries: number,
  ): Promise<boolean> => {
    try {
      await deadLetter(msg, reason, id, type);
      return true;
    } catch (err) {
      log.error({ err, eventId: id, reason }, "dead letter not published; will retry the event");
      msg.nak(delayFor(deliveries));
      return false;
    }
  };

  const run = async (source: ConsumerMessages) => {
    const inFlight = new Set<Promise<void>>();
    for await (const msg of source) {
      if (stopping) {
        // Fetched but not started: hand it back now rather than after ack_wait.
        msg.nak();
        continue;
      }
      const task = handle(msg).catch((err) => log.error({ err }, "event handling crashed"));
      if (concurrency === 1) {
        await task;
        continue;
      }
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };

  return {
    async start() {
      if (loop) return;
      if (db) {
        try {
          await db.execute(`select 1 from ${inbox} limit 0`);
        } catch (err) {
          throw new Error(
            `db: schema ${db.schema} has no inbox_events table; add EVENTS_MIGRATIONS to its migrations`,
            {
              cause: err,
            },
          );
        }
      }
      const jsm = await jetstreamManager(options.nats);
      await ensureStream(jsm, prefix, context);
      await ensureDeadLetterStream(jsm, prefix);
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: filterSubject,
        ack_wait: nanos(ackWaitMs),
        // Bounded by us (dead letter after maxDeliver handler failures), not by the server, which
        // would drop the event silently.
        max_deliver: -1,
      });
      js = jetstream(options.nats);
      const consumer = await js.consumers.get(stream, durable);
      stopping = false;
      messages = await consumer.consume({ max_messages: Math.max(16, concurrency * 4) });
      loop = run(messages).catch((err) => log.error({ err }, "event consumer stopped"));
      if (db) {
        void purgeInbox();
        purgeTimer = setInterval(purgeInbox, 10 * 60_000).unref();
      }
      log.info({ filterSubject }, "event consumer started");
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      clearInterval(purgeTimer);
      await messages?.close();
      await loop;
      loop = undefined;
      messages = undefined;
    },
  };
}
