import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createCatalog } from "./app.ts";
import { loadCatalogConfig } from "./config.ts";

/** The catalog service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadCatalogConfig>;
try {
  config = loadCatalogConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`catalog: ${error.message}`);
  process.exit(1);
}

const catalog = await createCatalog(config).catch((error: unknown) => {
  console.error(`catalog: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await catalog.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(catalog.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
catalog.logger.info({ port, metricsPort: metrics?.port }, "catalog serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    catalog.logger.info({ signal }, "shutting down");
    await catalog.close();
    await metrics?.close();
    process.exit(0);
  });
}
