import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Envelope, readEnvelope } from "./envelope.ts";
import { checkContext, checkToken, streamName } from "./naming.ts";

/**
 * Reading a context's stream by sequence, outside any durable consumer: for projections rebuilt
 * by replay (the audit service) and for tools. Nothing is acknowledged and no consumer state is
 * left behind beyond an ephemeral ordered consumer that the server drops.
 */

/** Where a stream stands. */
export interface StreamState {
  /** <PREFIX>_<CONTEXT>. */
  stream: string;
  /** The oldest sequence still held (1 until messages are dropped by limits). */
  firstSeq: number;
  /** The newest sequence; 0 for a stream that never held a message. */
  lastSeq: number;
  messages: number;
}

/** One stored event: its stream sequence, the envelope from its headers, its body. */
export interface StoredEvent {
  seq: number;
  /** The NATS subject it was published on. */
  subject: string;
  /** When the stream stored it (a consumer falls back to it when ce-time is missing). */
  publishTime: Date;
  envelope: Envelope;
  data: Uint8Array;
}

/** The state of the stream of `context`; undefined when the stream does not exist (yet). */
export async function streamState(
  nats: NatsConnection,
  prefix: string,
  context: string,
): Promise<StreamState | undefined> {
  const stream = streamName(checkToken(prefix, "prefix"), checkContext(context));
  const jsm = await jetstreamManager(nats);
  try {
    const { state } = await jsm.streams.info(stream);
    return { stream, firstSeq: state.first_seq, lastSeq: state.last_seq, messages: state.messages };
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}

export interface ReadStreamOptions {
  /** First sequence to read (default 1). */
  fromSeq?: number;
  /** Last sequence to read, included; usually `StreamState.lastSeq` read beforehand. */
  toSeq: number;
  /** Messages per fetch; default 500. */
  batchSize?: number;
  /** How long one fetch waits for messages; default 2000 ms. */
  fetchTimeoutMs?: number;
}

/**
 * The events of a context's stream from `fromSeq` to `toSeq`, oldest first, through an ordered
 * consumer. Sequences the stream no longer holds are skipped; reading ends at `toSeq` or at the
 * stream's last sequence when it began, whichever comes first.
 *
 *   const state = await streamState(nats, prefix, "order");
 *   for await (const event of readStreamEvents(nats, prefix, "order", { toSeq: state.lastSeq })) ...
 */
export async function* readStreamEvents(
  nats: NatsConnection,
  prefix: string,
  context: string,
  options: ReadStreamOptions,
): AsyncGenerator<StoredEvent> {
  const stream = streamName(checkToken(prefix, "prefix"), checkContext(context));
  const batchSize = options.batchSize ?? 500;
  const expires = options.fetchTimeoutMs ?? 2000;
  let next = Math.max(1, options.fromSeq ?? 1);
  // Never ask for more than the stream holds: a fetch short of messages waits out its expiry.
  const last = Math.min(options.toSeq, (await streamState(nats, prefix, context))?.lastSeq ?? 0);
  if (next > last) return;
  const consumer = await jetstream(nats).consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: next,
  });
  try {
    while (next <= last) {
      const batch = await consumer.fetch({
        max_messages: Math.min(batchSize, last - next + 1),
        expires,
      });
      let received = 0;
      let beyond = false;
      for await (const msg of batch) {
        received++;
        // Past the end (sequences were skipped): drain the batch, hand out nothing more.
        if (msg.seq > last) {
          beyond = true;
          continue;
        }
        next = msg.seq + 1;
        yield {
          seq: msg.seq,
          subject: msg.subject,
          publishTime: msg.time,
          envelope: readEnvelope(msg.headers),
          data: msg.data,
        };
      }
      if (received === 0 || beyond) return;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
