import { createRequire } from "node:module";

/** The autocannon options and result fields the harness uses (the package ships no types). */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface HttpLoad {
  url: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
  /** Seconds of unmeasured load first, so the JIT and connection pools are warm (default 1). */
  warmupS?: number;
}

export interface HttpLoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors, timeouts and non-2xx answers. */
  errors: number;
}

/** Drives an HTTP endpoint with autocannon: a warm-up, then the measured run. */
export async function measureHttp(load: HttpLoad): Promise<HttpLoadResult> {
  const options = { url: load.url, connections: load.connections, headers: load.headers ?? {} };
  const warmup = load.warmupS ?? 1;
  if (warmup > 0) await autocannon({ ...options, duration: warmup });
  const result = await autocannon({ ...options, duration: load.durationS });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
