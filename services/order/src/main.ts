import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createOrder } from "./app.ts";
import { loadOrderConfig } from "./config.ts";

/** The order service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadOrderConfig>;
try {
  config = loadOrderConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`order: ${error.message}`);
  process.exit(1);
}

const order = await createOrder(config).catch((error: unknown) => {
  console.error(`order: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await order.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(order.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
if (config.ORDER_SAGA_PAUSE_AT)
  order.logger.warn({ step: config.ORDER_SAGA_PAUSE_AT }, "test hook: sagas pause before this step");
order.logger.info({ port, metricsPort: metrics?.port }, "order serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    order.logger.info({ signal }, "shutting down");
    await order.close();
    await metrics?.close();
    process.exit(0);
  });
}
