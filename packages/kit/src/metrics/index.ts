import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** The metrics every service exposes, in one registry labelled with the service name. */
export interface Metrics {
  registry: Registry;
  /** Server-side RPC latency by method and gRPC code name. */
  rpcServerDuration: Histogram<"method" | "code">;
  /** Client-side RPC latency by target method and gRPC code name. */
  rpcClientDuration: Histogram<"method" | "code">;
  eventsPublished: Counter<"type">;
  eventsConsumed: Counter<"type" | "consumer" | "outcome">;
  /** Unpublished outbox rows, sampled by the relay. */
  outboxBacklog: Gauge;
  /** Milliseconds from an event's creation (ce-time) to its handling, by consumer. */
  eventLag: Histogram<"consumer">;
}

const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Creates a service's metrics; process metrics (CPU, RSS, event loop lag, GC) included. */
export function createMetrics(options: { service: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  // The event loop delay monitor samples on a timer: at prom-client's default 10 ms it woke every
  // process 100 times a second, most of an idle service's CPU. A lag long enough to matter still
  // shows at 100 ms.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return {
    registry,
    rpcServerDuration: new Histogram({
      name: "rpc_server_duration_seconds",
      help: "Duration of RPCs served, by method and gRPC status code",
      labelNames: ["method", "code"],
      buckets: RPC_BUCKETS,
      registers: [registry],
    }),
    rpcClientDuration: new Histogram({
      name: "rpc_client_duration_seconds",
      help: "Duration of RPCs made, by method and gRPC status code",
      labelNames: ["method", "code"],
      buckets: RPC_BUCKETS,
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: "events_published_total",
      help: "Events published from the outbox, by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    eventsConsumed: new Counter({
      name: "events_consumed_total",
      help: "Events handled by consumers, by type, consumer and outcome",
      labelNames: ["type", "consumer", "outcome"],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: "outbox_backlog",
      help: "Outbox rows not yet published",
      registers: [registry],
    }),
    eventLag: new Histogram({
      name: "event_consume_lag_seconds",
      help: "Time from an event's creation to its handling",
      labelNames: ["consumer"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
  };
}

/** Serves `GET /metrics` (Prometheus text) on its own port; resolves with the bound port. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = "0.0.0.0",
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType }).end(body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
