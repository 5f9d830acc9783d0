import { connect, type NatsConnection } from "@nats-io/transport-node";

export type { NatsConnection };

export interface NatsOptions {
  /** nats://host:port, or several separated by commas. */
  url: string;
  /** The connection's name, shown by the server's monitoring (the service name). */
  name: string;
}

/**
 * Connects to NATS with reconnection forever (a service keeps running through a NATS restart:
 * the outbox holds events meanwhile, consumers resume their durable position).
 */
export function connectNats(options: NatsOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(",").map((url) => url.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  });
}
