import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  countLeftovers,
  describeLeftovers,
  type Leftovers,
  listLeftovers,
  newLeftovers,
  otherVitestProcesses,
} from "./leftovers.ts";

const ensureInfra = fileURLToPath(new URL("../ensure-infra.sh", import.meta.url));

/**
 * Vitest global setup: the integration tests talk to the real PostgreSQL, NATS JetStream and
 * Redis at their default local addresses, so make sure they answer (starting the Debian system
 * services when they are stopped) before any test runs, and fail once with a clear message
 * instead of in every test file. The teardown it returns warns about test data (streams, Redis
 * keys, databases) that appeared during the run and is still there: a test that does not clean up.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile("bash", [ensureInfra], { timeout: 240_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
  if (result.code !== 0) {
    throw new Error(
      [
        "The tests need PostgreSQL (127.0.0.1:5432, user postgres, trust), NATS with JetStream (127.0.0.1:4222)",
        "and Redis (127.0.0.1:6379). `bash scripts/ensure-infra.sh` could not make them answer:",
        result.output,
      ].join("\n"),
    );
  }
  const before = await snapshot();
  return () => warnAboutLeftovers(before);
}

/** The leftovers now, or undefined when they cannot be listed in time: a report, never a failure. */
async function snapshot(): Promise<Leftovers | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 15_000);
  });
  try {
    return await Promise.race([listLeftovers().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function warnAboutLeftovers(before: Leftovers | undefined): Promise<void> {
  try {
    if (!before) return;
    const after = await snapshot();
    if (!after) return;
    const made = newLeftovers(before, after);
    const n = countLeftovers(made);
    if (n.streams + n.keys + n.databases === 0) return;
    const others =
      otherVitestProcesses().length > 0 ? " (another vitest run is going on: some may be its)" : "";
    console.warn(
      [
        `warning: tests left data behind${others}: ${n.streams} streams, ${n.keys} Redis keys under ${n.prefixes} prefixes, ${n.databases} databases.`,
        ...describeLeftovers(made).map((line) => `  ${line}`),
        "Clean up in afterAll (deleteStreams, deleteRedisPrefix, drop()); `node scripts/test/leaks.ts --delete` removes them.",
      ].join("\n"),
    );
  } catch {
    // Only a report: never fail a run over it.
  }
}
