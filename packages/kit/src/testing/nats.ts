import { type JetStreamManager, jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";

/** Connects to TEST_NATS_URL (default nats://127.0.0.1:4222). */
export function connectTestNats(): Promise<NatsConnection> {
  return connect({ servers: process.env.TEST_NATS_URL || "nats://127.0.0.1:4222", name: "shopmesh-test" });
}

async function withManager<T>(
  nats: NatsConnection | undefined,
  fn: (jsm: JetStreamManager) => Promise<T>,
): Promise<T> {
  const nc = nats ?? (await connectTestNats());
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    if (!nats) await nc.close();
  }
}

/**
 * Deletes every JetStream stream of a test prefix (`<PREFIX>_*`: context streams and the DLQ).
 * Returns the names deleted.
 */
export function deleteStreams(prefix: string, nats?: NatsConnection): Promise<string[]> {
  if (!/^t[a-z0-9]+$/.test(prefix)) throw new Error(`prefix: ${prefix} is not a test prefix`);
  const start = `${prefix.toUpperCase()}_`;
  return withManager(nats, async (jsm) => {
    const deleted: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(start)) {
        await jsm.streams.delete(name);
        deleted.push(name);
      }
    }
    return deleted;
  });
}

/** Every message currently in `stream`, oldest first (for assertions on what was published). */
export function readStream(stream: string, nats?: NatsConnection): Promise<StoredMsg[]> {
  return withManager(nats, async (jsm) => {
    const info = await jsm.streams.info(stream);
    const out: StoredMsg[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      // Deleted sequence numbers leave gaps; skip them.
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (msg) out.push(msg);
    }
    return out;
  });
}
