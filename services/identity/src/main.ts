import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createIdentity } from "./app.ts";
import { loadIdentityConfig } from "./config.ts";

/** The identity service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadIdentityConfig>;
try {
  config = loadIdentityConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`identity: ${error.message}`);
  process.exit(1);
}

const identity = await createIdentity(config).catch((error: unknown) => {
  console.error(`identity: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await identity.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(identity.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
identity.logger.info({ port, metricsPort: metrics?.port }, "identity serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    identity.logger.info({ signal }, "shutting down");
    await identity.close();
    await metrics?.close();
    process.exit(0);
  });
}
