import { ConfigError } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import { type Registry, serveMetrics } from "../metrics/index.ts";

/** What a service's createX(config) builds: enough for its process to serve and stop. */
export interface RunnableService {
  logger: Logger;
  metrics: { registry: Registry };
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface ServiceMainOptions<C extends { PORT: number; HOST: string; METRICS_PORT: number }, S> {
  /** The service's name, for messages. */
  name: string;
  /** Reads the configuration once (throws the kit's ConfigError naming every bad variable). */
  config: () => C;
  /** Builds the service (app.ts), not yet listening. */
  create: (config: C) => Promise<S> | S;
  /** Extra fields of the "serving" log line. */
  describe?: (service: S, config: C) => Record<string, unknown>;
}

/**
 * A service's process (its main.ts): read the configuration or exit naming the bad variable,
 * build, serve gRPC and Prometheus metrics (METRICS_PORT, 0 turns it off), and on SIGTERM or
 * SIGINT drain and close everything before exiting.
 *
 *   await runServiceMain({ name: "inventory", config: loadInventoryConfig, create: createInventory });
 */
export async function runServiceMain<
  C extends { PORT: number; HOST: string; METRICS_PORT: number },
  S extends RunnableService,
>(options: ServiceMainOptions<C, S>): Promise<S> {
  const { name } = options;
  let config: C;
  try {
    config = options.config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
  let service: S;
  let port: number;
  try {
    service = await options.create(config);
    port = await service.listen(config.PORT, config.HOST);
  } catch (error) {
    console.error(`${name}: could not start: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  }
  const metrics =
    config.METRICS_PORT > 0
      ? await serveMetrics(service.metrics.registry, config.METRICS_PORT, config.HOST)
      : undefined;
  service.logger.info(
    { port, metricsPort: metrics?.port, ...options.describe?.(service, config) },
    `${name} serving`,
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      service.logger.info({ signal }, "shutting down");
      await service.close();
      await metrics?.close();
      process.exit(0);
    });
  }
  return service;
}
