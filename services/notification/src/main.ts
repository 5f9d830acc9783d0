import { ConfigError } from "@shopmesh/kit/config";
import { serveMetrics } from "@shopmesh/kit/metrics";
import { createNotification } from "./app.ts";
import { loadNotificationConfig } from "./config.ts";

/** The notification service process: configuration, wiring (app.ts), serving, clean shutdown. */

let config: ReturnType<typeof loadNotificationConfig>;
try {
  config = loadNotificationConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`notification: ${error.message}`);
  process.exit(1);
}

const notification = await createNotification(config).catch((error: unknown) => {
  console.error(`notification: could not start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
const port = await notification.listen(config.PORT, config.HOST);
const metrics =
  config.METRICS_PORT > 0
    ? await serveMetrics(notification.metrics.registry, config.METRICS_PORT, config.HOST)
    : undefined;
notification.logger.info({ port, metricsPort: metrics?.port }, "notification serving");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    notification.logger.info({ signal }, "shutting down");
    await notification.close();
    await metrics?.close();
    process.exit(0);
  });
}
