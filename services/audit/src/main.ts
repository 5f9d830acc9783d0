import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createAudit } from "./app.ts";
import { loadAuditConfig } from "./config.ts";

/** The audit service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadAuditConfig>;
try {
  config = loadAuditConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`audit: ${error.message}`);
  process.exit(1);
}

const audit = await createAudit(config).catch((error: unknown) => {
  console.error(`audit: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await audit.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(audit.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
audit.logger.info({ port, metricsPort: metrics?.port }, "audit serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    audit.logger.info({ signal }, "shutting down");
    await audit.close();
    await metrics?.close();
    process.exit(0);
  });
}
