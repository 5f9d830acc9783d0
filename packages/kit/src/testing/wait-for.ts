export interface WaitForOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Default 20 ms. */
  intervalMs?: number;
  /** Names what is awaited in the timeout error. */
  message?: string;
}

/**
 * Polls `predicate` until it returns something truthy (and resolves with it) or the time is up.
 * A predicate that throws counts as "not yet"; its last error is in the timeout error.
 *
 *   const rows = await waitFor(async () => (await count()) === 3 && rows, { timeoutMs: 2000 });
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | 0 | "" | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Exclude<T, false | 0 | "" | null | undefined>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? "condition";
      const why = lastError instanceof Error ? `: last error ${lastError.message}` : "";
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${why}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
