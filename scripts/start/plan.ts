import { join } from "node:path";
import { type LaunchConfig, metricsPort } from "./config.ts";
import { GRPC_PORTS, type Launchable, type ServiceName, serviceEnvName } from "./registry.ts";

/** How to tell that a process is ready. */
export type HealthTarget = { kind: "grpc"; address: string } | { kind: "http"; url: string };

/** One process to start: what to run, with which environment, and how to probe it. */
export interface LaunchPlan {
  name: string;
  kind: Launchable["kind"];
  /** Absolute path of the entry module. */
  entry: string;
  /** Variables set on top of the launcher's own environment. */
  env: Record<string, string>;
  port: number;
  metricsPort?: number;
  health: HealthTarget;
}

/**
 * Turns the registry into launch plans: keeps the entries whose folder exists, gives each its
 * port, and tells every process where the others are (`IDENTITY_ADDRESS=127.0.0.1:50051`, ...).
 */
export function planLaunch(
  registry: readonly Launchable[],
  config: LaunchConfig,
  options: { root: string; exists: (path: string) => boolean; host?: string },
): LaunchPlan[] {
  const host = options.host ?? "127.0.0.1";
  const present = registry.filter((item) => options.exists(join(options.root, item.dir)));
  const grpcPortOf = (item: Launchable) => {
    if (!(item.name in GRPC_PORTS)) {
      throw new Error(`${item.name} is a gRPC service without a port in GRPC_PORTS`);
    }
    return config.grpcPorts[item.name as ServiceName];
  };
  const addresses: Record<string, string> = {};
  for (const item of present) {
    if (item.kind === "grpc") addresses[serviceEnvName(item.name, "ADDRESS")] = `${host}:${grpcPortOf(item)}`;
  }
  const common = {
    DATABASE_URL: config.databaseUrl,
    NATS_URL: config.natsUrl,
    REDIS_URL: config.redisUrl,
    SERVICE_TOKEN_SECRET: config.serviceTokenSecret,
    ...addresses,
  };
  return present.map((item): LaunchPlan => {
    const entry = join(options.root, item.entry);
    const own = item.env?.(config) ?? {};
    if (item.kind === "grpc") {
      const port = grpcPortOf(item);
      const metrics = metricsPort(config, item.name as ServiceName);
      return {
        name: item.name,
        kind: item.kind,
        entry,
        env: { ...common, ...own, PORT: String(port), METRICS_PORT: String(metrics) },
        port,
        metricsPort: metrics,
        health: { kind: "grpc", address: `${host}:${port}` },
      };
    }
    return {
      name: item.name,
      kind: item.kind,
      entry,
      env: { ...common, ...own, PORT: String(config.httpPort) },
      port: config.httpPort,
      health: { kind: "http", url: `http://${host}:${config.httpPort}/readyz` },
    };
  });
}
