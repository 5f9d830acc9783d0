import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";

/** What JetStream answered for one published message. */
export interface PublishAck {
  stream: string;
  seq: number;
  /** True when the stream already held a message with this Nats-Msg-Id and dropped this one. */
  duplicate: boolean;
}

/**
 * Publishes to JetStream with many acks in flight over one reply subscription.
 *
 * This is the JetStream publish protocol (a core publish with a reply subject; the stream answers
 * with a PubAck or an error) without the per-message request machinery of `jetstream().publish`:
 * one wildcard inbox and one sweeping timer instead of a subscription entry and a timer per
 * message. Measured on our 2-core box with 500 in flight: ~11,000 msgs/s through
 * `jetstream().publish`, ~38,000 msgs/s this way; the outbox drain target is 20,000 events/s.
 */
export interface AckPublisher {
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs: number): Promise<PublishAck>;
  /** Fails what is still waiting and drops the subscription. */
  close(): void;
}

interface Waiting {
  subject: string;
  resolve(ack: PublishAck): void;
  reject(err: Error): void;
  deadline: number;
}

const decoder = new TextDecoder();

function settle(waiting: Waiting, msg: Msg): void {
  // A stream-less subject gets the server's 503 "no responders" status instead of a PubAck.
  if (msg.headers?.code === 503 || (msg.data.length === 0 && msg.headers?.hasError)) {
    waiting.reject(new Error(`no stream takes subject ${waiting.subject} (no responders)`));
    return;
  }
  try {
    const body = JSON.parse(decoder.decode(msg.data)) as {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { code?: number; err_code?: number; description?: string };
    };
    if (body.error) {
      waiting.reject(
        new Error(`JetStream rejected the message: ${body.error.description ?? "unknown error"}`),
      );
    } else {
      waiting.resolve({ stream: body.stream ?? "", seq: body.seq ?? 0, duplicate: body.duplicate === true });
    }
  } catch (err) {
    waiting.reject(new Error(`unreadable JetStream ack: ${(err as Error).message}`));
  }
}

export function createAckPublisher(nats: NatsConnection): AckPublisher {
  const inbox = createInbox();
  const waiting = new Map<string, Waiting>();
  let next = 0;
  let subscription: Subscription | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of waiting) {
      if (entry.deadline <= now) {
        waiting.delete(key);
        entry.reject(new Error("timed out waiting for the JetStream ack"));
      }
    }
    if (waiting.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  const subscribe = () =>
    nats.subscribe(`${inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const key = msg.subject.slice(inbox.length + 1);
        const entry = waiting.get(key);
        if (!entry) return;
        waiting.delete(key);
        settle(entry, msg);
      },
    });

  return {
    publish(subject, data, headers, timeoutMs) {
      subscription ??= subscribe();
      const key = String(next++);
      return new Promise<PublishAck>((resolve, reject) => {
        waiting.set(key, { subject, resolve, reject, deadline: Date.now() + timeoutMs });
        sweeper ??= setInterval(sweep, Math.min(250, Math.max(10, timeoutMs / 4))).unref();
        try {
          nats.publish(subject, data, { reply: `${inbox}.${key}`, headers });
        } catch (err) {
          waiting.delete(key);
          reject(err as Error);
        }
      });
    },
    close() {
      subscription?.unsubscribe();
      subscription = undefined;
      for (const entry of waiting.values()) entry.reject(new Error("publisher closed"));
      waiting.clear();
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
