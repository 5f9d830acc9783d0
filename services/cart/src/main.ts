import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createCartApp } from "./app.ts";
import { loadCartConfig } from "./config.ts";

/** The cart service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadCartConfig>;
try {
  config = loadCartConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`cart: ${error.message}`);
  process.exit(1);
}

const cart = createCartApp(config);
const port = await cart.listen(config.PORT, config.HOST).catch((error: unknown) => {
  console.error(`cart: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(cart.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
cart.logger.info({ port, metricsPort: metrics?.port }, "cart serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    cart.logger.info({ signal }, "shutting down");
    await cart.close();
    await metrics?.close();
    process.exit(0);
  });
}
