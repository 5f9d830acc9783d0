import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createInventory } from "./app.ts";
import { loadInventoryConfig } from "./config.ts";

/** The inventory service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadInventoryConfig>;
try {
  config = loadInventoryConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`inventory: ${error.message}`);
  process.exit(1);
}

const inventory = await createInventory(config).catch((error: unknown) => {
  console.error(`inventory: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await inventory.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(inventory.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
inventory.logger.info({ port, metricsPort: metrics?.port }, "inventory serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    inventory.logger.info({ signal }, "shutting down");
    await inventory.close();
    await metrics?.close();
    process.exit(0);
  });
}
