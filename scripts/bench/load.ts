/** Latency percentiles of a sample, nearest-rank. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedMs.length);
  return sortedMs[Math.min(sortedMs.length, Math.max(1, rank)) - 1]!;
}

/** Throughput and latency percentiles of the latencies (ms) completed in `elapsedS`; sorts them. */
export function summarizeLatencies(latencies: number[], elapsedS: number) {
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSec: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export interface ClosedLoopResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The message of the first failed call, to say what went wrong. */
  firstError?: string;
  /** Successful calls. */
  calls: number;
}

/**
 * Keeps `concurrency` calls in flight for `durationMs` (each worker starts its next call when the
 * previous one settles) and reports the completed calls per second with latency percentiles.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  options: { concurrency: number; durationMs: number },
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const begin = performance.now();
      try {
        await call();
        latencies.push(performance.now() - begin);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    ...summarizeLatencies(latencies, elapsedS),
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    calls: latencies.length,
  };
}
