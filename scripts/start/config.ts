import { randomBytes } from "node:crypto";
import { ConfigError, infrastructure, loadConfig, port, z } from "@shopmesh/kit/config";
import { GRPC_PORTS, type ServiceName, serviceEnvName } from "./registry.ts";

/** The demo admin's login when SHOPMESH_ADMIN_EMAIL / SHOPMESH_ADMIN_PASSWORD are not set. */
export const DEFAULT_ADMIN = { email: "admin@shopmesh.local", password: "shopmesh-admin-demo" } as const;

/** Everything `npm start` reads from the environment. */
export interface LaunchConfig {
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  /** The BFF's HTTP port (PORT). */
  httpPort: number;
  /** The gRPC port of every bounded context (IDENTITY_PORT, CATALOG_PORT, ...). */
  grpcPorts: Record<ServiceName, number>;
  /** The n-th context of GRPC_PORTS serves Prometheus metrics on metricsPortBase + n (identity: +0). */
  metricsPortBase: number;
  admin: { email: string; password: string; isDefault: boolean };
  /**
   * Signs the service tokens the services call each other with (SERVICE_TOKEN_SECRET); a random
   * one per run when unset, since the tokens live only as long as the processes.
   */
  serviceTokenSecret: string;
  /** Where locally started PostgreSQL, NATS and Redis keep their data (SHOPMESH_DATA_DIR). */
  dataDir: string;
  /** How long the platform may take to become healthy (SHOPMESH_START_TIMEOUT_MS). */
  startTimeoutMs: number;
  /**
   * Where the notification service sends mail: SMTP_URL when set; otherwise the launcher's own
   * mail sink on SHOPMESH_MAIL_PORT, which keeps every message under <dataDir>/mail.
   */
  mail: { url: string; sinkPort?: number };
}

const serviceNames = Object.keys(GRPC_PORTS) as ServiceName[];

/**
 * Reads the launcher's configuration, with the local defaults of ARCHITECTURE.md section 9.
 * Throws the kit's ConfigError naming every malformed variable, and when two ports collide.
 */
export function loadLaunchConfig(
  env: Record<string, string | undefined> = process.env,
  options: { generateSecret?: () => string } = {},
): LaunchConfig {
  const portShape = Object.fromEntries(
    serviceNames.map((name) => [serviceEnvName(name, "PORT"), port(GRPC_PORTS[name])]),
  );
  const raw = loadConfig(
    {
      DATABASE_URL: infrastructure.DATABASE_URL,
      NATS_URL: infrastructure.NATS_URL,
      REDIS_URL: infrastructure.REDIS_URL,
      PORT: port(8080),
      METRICS_PORT_BASE: port(9464),
      // identity checks the login against its own email and password policy when it starts
      SHOPMESH_ADMIN_EMAIL: z.string().optional(),
      SHOPMESH_ADMIN_PASSWORD: z.string().optional(),
      SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
      SHOPMESH_DATA_DIR: z.string().default(".data"),
      SHOPMESH_START_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
      SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
      SHOPMESH_MAIL_PORT: port(1025),
      ...portShape,
    },
    env,
  );
  const values = raw as Record<string, unknown>;
  const grpcPorts = Object.fromEntries(
    serviceNames.map((name) => [name, values[serviceEnvName(name, "PORT")] as number]),
  ) as Record<ServiceName, number>;
  const config: LaunchConfig = {
    databaseUrl: raw.DATABASE_URL,
    natsUrl: raw.NATS_URL,
    redisUrl: raw.REDIS_URL,
    httpPort: raw.PORT,
    grpcPorts,
    metricsPortBase: raw.METRICS_PORT_BASE,
    admin: {
      email: raw.SHOPMESH_ADMIN_EMAIL ?? DEFAULT_ADMIN.email,
      password: raw.SHOPMESH_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
      isDefault: raw.SHOPMESH_ADMIN_EMAIL === undefined && raw.SHOPMESH_ADMIN_PASSWORD === undefined,
    },
    serviceTokenSecret:
      raw.SERVICE_TOKEN_SECRET ?? (options.generateSecret ?? (() => randomBytes(32).toString("base64url")))(),
    dataDir: raw.SHOPMESH_DATA_DIR,
    startTimeoutMs: raw.SHOPMESH_START_TIMEOUT_MS,
    mail: raw.SMTP_URL
      ? { url: raw.SMTP_URL }
      : { url: `smtp://127.0.0.1:${raw.SHOPMESH_MAIL_PORT}`, sinkPort: raw.SHOPMESH_MAIL_PORT },
  };
  assertDistinctPorts(config);
  return config;
}

/** The Prometheus port of a service: METRICS_PORT_BASE plus its position in GRPC_PORTS. */
export function metricsPort(config: LaunchConfig, name: ServiceName): number {
  return config.metricsPortBase + serviceNames.indexOf(name);
}

/** Two processes cannot listen on one port: name both variables rather than fail at bind time. */
function assertDistinctPorts(config: LaunchConfig): void {
  const owners = new Map<number, string>();
  const claim = (value: number, variable: string) => {
    const owner = owners.get(value);
    if (owner) {
      throw new ConfigError([
        { variable, message: `${value} is already taken by ${owner}; give each its own port` },
      ]);
    }
    owners.set(value, variable);
  };
  claim(config.httpPort, "PORT");
  for (const name of serviceNames) claim(config.grpcPorts[name], serviceEnvName(name, "PORT"));
  for (const name of serviceNames)
    claim(metricsPort(config, name), `METRICS_PORT_BASE (+${serviceNames.indexOf(name)} for ${name})`);
}
