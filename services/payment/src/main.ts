import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createPayment } from "./app.ts";
import { loadPaymentConfig } from "./config.ts";

/** The payment service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadPaymentConfig>;
try {
  config = loadPaymentConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`payment: ${error.message}`);
  process.exit(1);
}

const payment = await createPayment(config).catch((error: unknown) => {
  console.error(`payment: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await payment.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(payment.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
payment.logger.info(
  { port, metricsPort: metrics?.port, providers: payment.providers.names() },
  "payment serving",
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    payment.logger.info({ signal }, "shutting down");
    await payment.close();
    await metrics?.close();
    process.exit(0);
  });
}
