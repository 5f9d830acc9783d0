import { checkTlsFiles, infrastructure, int, loadConfig, port, tlsFiles, z } from "@shopmesh/kit/config";

/** The environment audit reads (ARCHITECTURE.md section 9), with the local defaults. */
export const AUDIT_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50059),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9472),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of audit's tables; the rebuild uses "<schema>_rebuild" beside it. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,54}$/, "must be lower case letters, digits and _ (at most 55)")
    .default("audit"),
  /** identity's gRPC address: its JWKS verifies the access tokens of staff calls. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /** The shared secret of service tokens; without it no other service can call audit. */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** How often a stream that does not exist yet is looked for, in milliseconds. */
  AUDIT_STREAM_POLL_MS: int(10_000, 50),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type AuditConfig = ReturnType<typeof loadAuditConfig>;

/** Reads audit's configuration once; throws a ConfigError naming every bad variable. */
export function loadAuditConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(AUDIT_CONFIG, env);
  checkTlsFiles(config);
  return config;
}
