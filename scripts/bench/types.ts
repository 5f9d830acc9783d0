/** What a target asks of a scenario; either figure may be absent. */
export interface Target {
  /** At least this many requests (or calls) per second. */
  requestsPerSec?: number;
  /** A 99th percentile latency of at most this many milliseconds. */
  p99Ms?: number;
}

/** One measured figure: the common shape every scenario reports. */
export interface BenchResult {
  name: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  target?: Target;
  /** Failed requests (errors, timeouts, non-2xx answers) during the measurement. */
  errors?: number;
  /** What the figure is, for the table ("bare Hono JSON endpoint, 50 connections"). */
  note?: string;
}

export interface BenchContext {
  /** The repository root. */
  root: string;
  /** Seconds each measurement lasts (BENCH_DURATION_S, default 5). */
  durationS: number;
  /** Concurrent connections or calls in flight (BENCH_CONNECTIONS, default 50). */
  connections: number;
  /** Checkouts per second offered in checkout-at-rate (BENCH_CHECKOUT_RATE); unset: see checkout.ts. */
  checkoutRate?: number;
  /** Progress messages. */
  log: (message: string) => void;
}

/** A benchmark: sets up what it measures, measures, and cleans up after itself. */
export interface Scenario {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}
