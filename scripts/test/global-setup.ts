import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const ensureInfra = fileURLToPath(new URL("../ensure-infra.sh", import.meta.url));

/**
 * Vitest global setup: the integration tests talk to the real PostgreSQL, NATS JetStream and
 * Redis at their default local addresses, so make sure they answer (starting the Debian system
 * services when they are stopped) before any test runs, and fail once with a clear message
 * instead of in every test file.
 */
export default async function globalSetup(): Promise<void> {
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
}
