import { createHash } from "node:crypto";
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { newId } from "../ids/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { type AckPublisher, createAckPublisher, type PublishAck } from "./ack-publisher.ts";
import { buildEventHeaders, type EventMeta } from "./envelope.ts";
import { checkContext, checkToken, DEFAULT_PREFIX, eventSubject } from "./naming.ts";
import { ensureStream, type StreamOptions } from "./streams.ts";

/**
 * Publishing one event now, without an outbox: for a service whose state is not in PostgreSQL
 * (the cart, in Redis), which cannot write its change and its event in one transaction. The
 * event carries the same envelope as the relay's (CloudEvents headers, Nats-Msg-Id = ce-id), so
 * consumers cannot tell the two paths apart. It is at most once unless the caller retries, and
 * a retry with the same `id` is dropped by JetStream within the stream's duplicate window.
 */

export interface EventPublisherOptions {
  nats: NatsConnection;
  /** The publishing context ("cart"): its stream and subjects. */
  context: string;
  /** Subject prefix (config EVENTS_PREFIX); default "shopmesh". */
  prefix?: string;
  /** How long to wait for JetStream's ack; default 5000 ms. */
  timeoutMs?: number;
  /** Counts published events by type (events_published_total). */
  metrics?: Pick<Metrics, "eventsPublished">;
}

export interface PublishEventInput<S extends DescMessage> {
  /** The event message schema, e.g. `CartCreatedSchema`. */
  schema: S;
  data: MessageInitShape<S>;
  /** The id of the aggregate the event is about (ce-subject). */
  aggregateId: string;
  /**
   * ce-id and Nats-Msg-Id. Default a new UUIDv7; pass a stable one (see `derivedEventId`) when
   * the same event may be published again, so JetStream keeps one copy.
   */
  id?: string;
  /** ce-time; default now. */
  time?: Date;
  meta?: EventMeta;
}

export interface EventPublisher {
  /** Makes sure the context's stream exists (the publisher owns its settings). */
  ensureStream(options?: StreamOptions): Promise<void>;
  /** Publishes one event and waits for JetStream's ack; rejects on timeout or refusal. */
  publish<S extends DescMessage>(event: PublishEventInput<S>): Promise<PublishAck & { id: string }>;
  /** Fails the publishes still waiting for their ack and drops the reply subscription. */
  close(): void;
}

/**
 *   const events = createEventPublisher({ nats, context: "cart", prefix: config.EVENTS_PREFIX });
 *   await events.ensureStream();
 *   await events.publish({ schema: CartCreatedSchema, aggregateId: cart.id,
 *     id: derivedEventId(cart.id, CartCreatedSchema.typeName, cart.createTime), data: { ... } });
 */
export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const { nats } = options;
  const context = checkContext(options.context);
  const prefix = checkToken(options.prefix ?? DEFAULT_PREFIX, "prefix");
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(timeoutMs > 0)) throw new Error("timeoutMs: must be positive");
  let acks: AckPublisher | undefined;

  return {
    async ensureStream(streamOptions) {
      await ensureStream(await jetstreamManager(nats), prefix, context, streamOptions);
    },

    async publish(event) {
      if (event.schema?.kind !== "message") throw new Error("schema: must be a generated message schema");
      if (typeof event.aggregateId !== "string" || event.aggregateId === "") {
        throw new Error("aggregateId: must be a non-empty string");
      }
      const id = event.id ?? newId();
      const type = event.schema.typeName;
      const headers = buildEventHeaders({
        id,
        context,
        type,
        aggregateId: event.aggregateId,
        time: event.time ?? new Date(),
        ...(event.meta ? { meta: event.meta } : {}),
      });
      const h = natsHeaders();
      for (const [key, value] of Object.entries(headers)) h.set(key, value);
      h.set("Nats-Msg-Id", id);
      const data = toBinary(event.schema, create(event.schema, event.data));
      acks ??= createAckPublisher(nats);
      const ack = await acks.publish(eventSubject(prefix, context, event.schema), data, h, timeoutMs);
      if (!ack.duplicate) options.metrics?.eventsPublished.inc({ type });
      return { ...ack, id };
    },

    close() {
      acks?.close();
      acks = undefined;
    },
  };
}

/**
 * A UUIDv7 that is the same every time for the same `key` and `type`: the millisecond timestamp
 * of `time` (when the thing happened, so ids still sort by time) and the rest from a SHA-256 of
 * both. For events published without an outbox, whose publish may be retried: one event, one id.
 *
 *   derivedEventId(cart.id, "shopmesh.cart.v1.CartCreated", cart.createTime)
 */
export function derivedEventId(key: string, type: string, time: Date): string {
  const ms = BigInt(Math.max(0, Math.trunc(time.getTime())));
  const bytes = createHash("sha256").update(`${type}\u0000${key}`).digest().subarray(0, 16);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 9562 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
