import { checkTlsFiles, infrastructure, int, loadConfig, port, tlsFiles, z } from "@shopmesh/kit/config";

/** The environment inventory reads (ARCHITECTURE.md section 9), with the local defaults. */
export const INVENTORY_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50053),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9466),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of inventory's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("inventory"),
  /** identity's gRPC address: its JWKS verifies the access tokens of staff calls. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /** The shared secret of service tokens; without it the order service cannot reserve stock. */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** How often expired reservations are released, in milliseconds. */
  RESERVATION_SWEEP_MS: int(5_000, 100),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;

/** Reads inventory's configuration once; throws a ConfigError naming every bad variable. */
export function loadInventoryConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(INVENTORY_CONFIG, env);
  checkTlsFiles(config);
  return config;
}
