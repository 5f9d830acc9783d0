import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createShipping } from "./app.ts";
import { loadShippingConfig } from "./config.ts";

/** The shipping service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadShippingConfig>;
try {
  config = loadShippingConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`shipping: ${error.message}`);
  process.exit(1);
}

const shipping = await createShipping(config).catch((error: unknown) => {
  console.error(`shipping: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await shipping.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(shipping.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
shipping.logger.info({ port, metricsPort: metrics?.port }, "shipping serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    shipping.logger.info({ signal }, "shutting down");
    await shipping.close();
    await metrics?.close();
    process.exit(0);
  });
}
