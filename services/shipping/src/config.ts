import {
  ConfigError,
  checkTlsFiles,
  infrastructure,
  int,
  loadConfig,
  port,
  tlsFiles,
  z,
} from "@shopmesh/kit/config";
import { isCountryCode } from "@shopmesh/kit/countries";

/**
 * The simulated carrier's webhook secret when none is configured. It is public (written right
 * here), so anyone can sign webhooks with it: fine on a developer's machine, refused in
 * production, where SIMCARRIER_WEBHOOK_SECRET must be set.
 */
export const DEVELOPMENT_WEBHOOK_SECRET = "shopmesh-simcarrier-development-secret (public, not secret)";

/** The environment shipping reads (ARCHITECTURE.md section 9), with the local defaults. */
export const SHIPPING_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50057),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9470),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of shipping's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("shipping"),
  NODE_ENV: z.string().default("development"),
  /** identity's gRPC address: its JWKS verifies the access tokens of staff calls. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /** The shared secret of service tokens; without it the order service cannot create shipments. */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Where parcels ship from: destinations in this country are the "domestic" zone. */
  SHOP_COUNTRY: z
    .string()
    .default("DE")
    .refine(isCountryCode, "must be an ISO 3166-1 alpha-2 country code in upper case"),
  /** The currency of the rate table's prices (ISO 4217). */
  SHOP_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 currency code in upper case")
    .default("EUR"),
  /** The secret the simulated carrier signs its webhooks with; required when NODE_ENV=production. */
  SIMCARRIER_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** How often the simulated carrier moves each parcel one status on, in ms; 0 turns it off. */
  SIMCARRIER_STEP_MS: int(30_000),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type ShippingConfig = ReturnType<typeof loadShippingConfig>;

/**
 * Reads shipping's configuration once; throws a ConfigError naming every bad variable, including
 * a missing SIMCARRIER_WEBHOOK_SECRET in production. Elsewhere the public development secret
 * stands in (`usesDevelopmentWebhookSecret` says so, and the service logs a warning).
 */
export function loadShippingConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(SHIPPING_CONFIG, env);
  checkTlsFiles(config);
  if (config.NODE_ENV === "production" && !config.SIMCARRIER_WEBHOOK_SECRET) {
    throw new ConfigError([
      { variable: "SIMCARRIER_WEBHOOK_SECRET", message: "is required when NODE_ENV=production" },
    ]);
  }
  return {
    ...config,
    SIMCARRIER_WEBHOOK_SECRET: config.SIMCARRIER_WEBHOOK_SECRET ?? DEVELOPMENT_WEBHOOK_SECRET,
    usesDevelopmentWebhookSecret: config.SIMCARRIER_WEBHOOK_SECRET === undefined,
  };
}
