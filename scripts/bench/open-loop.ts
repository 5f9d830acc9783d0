import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { summarizeLatencies } from "./load.ts";

export interface OpenLoopLoad {
  baseUrl: string;
  /** The path of each request (shared by all connections). */
  nextPath: () => string;
  /** Requests per second, sent on a fixed schedule whatever the answers take. */
  rate: number;
  durationS: number;
  /** Keep-alive connections at most (requests wait for a free one, and that wait counts). */
  connections: number;
  /** Seconds at the same rate first, not measured (connections opened, JIT warm). Default 1. */
  warmupS?: number;
}

export interface OpenLoopResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Failed requests and non-2xx answers. */
  errors: number;
}

/**
 * GETs at a constant rate (open loop, like wrk2): request i is due at start + i/rate, and its
 * latency runs from when it was due, not from when it went out, so time spent waiting for a
 * connection behind slow answers counts (no coordinated omission). Requests are spread evenly
 * over the second (a millisecond's share at a time), unlike per-connection rate limits that send
 * every connection's request at once.
 */
export async function openLoopHttp(load: OpenLoopLoad): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const url = new URL(load.baseUrl);
  const latencies: number[] = [];
  let errors = 0;
  const warmup = Math.round(load.rate * (load.warmupS ?? 1));
  const total = warmup + Math.round(load.rate * load.durationS);
  const intervalMs = 1000 / load.rate;
  const started = performance.now();
  const measuredFrom = started + warmup * intervalMs;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();

  const send = (dueAt: number) => {
    const measured = dueAt >= measuredFrom;
    const done = new Promise<void>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: load.nextPath(), method: "GET" },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => {
            if (!measured) {
              // warm-up: not counted
            } else if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
              latencies.push(performance.now() - dueAt);
            } else errors++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        if (measured) errors++;
        resolve();
      });
      req.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  while (sent < total) {
    const now = performance.now();
    // Everything due by now goes out, each stamped with the time it was due.
    while (sent < total && started + sent * intervalMs <= now) {
      send(started + sent * intervalMs);
      sent++;
    }
    // A millisecond's worth at a time: even enough, and the generator does not spin a core.
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - measuredFrom) / 1000;
  agent.destroy();
  return { ...summarizeLatencies(latencies, elapsedS), errors };
}
