import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { summarizeLatencies } from "./load.ts";

export interface OpenLoopResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Failed calls (for HTTP: failed requests and non-2xx answers). */
  errors: number;
  /** The message of the first failed call, to say what went wrong. */
  firstError?: string;
}

export interface OpenLoopOptions {
  /** Calls per second, started on a fixed schedule whatever the answers take. */
  rate: number;
  durationS: number;
  /** Seconds at the same rate first, not measured (connections opened, JIT warm). Default 1. */
  warmupS?: number;
}

/**
 * Calls at a constant rate (open loop, like wrk2): call i is due at start + i/rate, and its
 * latency runs from when it was due, not from when it started, so time spent waiting (for a
 * connection, behind slow answers) counts: no coordinated omission. Calls are spread evenly over
 * the second (a millisecond's share at a time), unlike per-connection rate limits that send every
 * connection's call at once.
 */
export async function openLoop(
  call: () => Promise<unknown>,
  options: OpenLoopOptions,
): Promise<OpenLoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const warmup = Math.round(options.rate * (options.warmupS ?? 1));
  const total = warmup + Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  const measuredFrom = started + warmup * intervalMs;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();

  const start = (dueAt: number) => {
    const measured = dueAt >= measuredFrom;
    const done = call().then(
      () => {
        if (measured) latencies.push(performance.now() - dueAt);
      },
      (error: unknown) => {
        if (!measured) return;
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      },
    );
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  while (sent < total) {
    const now = performance.now();
    // Everything due by now starts, each stamped with the time it was due.
    while (sent < total && started + sent * intervalMs <= now) {
      start(started + sent * intervalMs);
      sent++;
    }
    // A millisecond's worth at a time: even enough, and the generator does not spin a core.
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - measuredFrom) / 1000;
  return {
    ...summarizeLatencies(latencies, elapsedS),
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

export interface OpenLoopLoad extends OpenLoopOptions {
  baseUrl: string;
  /** The path of each request (shared by all connections). */
  nextPath: () => string;
  /** Keep-alive connections at most (requests wait for a free one, and that wait counts). */
  connections: number;
}

/** GETs at a constant rate (openLoop) over at most `connections` keep-alive connections. */
export async function openLoopHttp(load: OpenLoopLoad): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const url = new URL(load.baseUrl);
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: load.nextPath(), method: "GET" },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => {
            const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
            if (ok) resolve();
            else reject(new Error(`HTTP ${res.statusCode}`));
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  try {
    return await openLoop(get, load);
  } finally {
    agent.destroy();
  }
}
