import { checkTlsFiles, infrastructure, int, loadConfig, port, tlsFiles, z } from "@shopmesh/kit/config";

/** The environment catalog reads (ARCHITECTURE.md section 9), with the local defaults. */
export const CATALOG_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50052),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9465),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  REDIS_URL: infrastructure.REDIS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of catalog's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("catalog"),
  /** identity's gRPC address: its JWKS verifies the access tokens of callers. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /** inventory's gRPC address: availability (GetAvailability) for the "in stock" filter. */
  INVENTORY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50053"),
  /** Deadline of each call to inventory. */
  INVENTORY_TIMEOUT_MS: int(2_000, 1),
  /**
   * The shared secret of service tokens; without it other services can only call public RPCs,
   * and the catalog calls inventory anonymously.
   */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Prepended to every Redis key of the catalog cache. */
  CACHE_PREFIX: z.string().min(1).default("shopmesh:catalog:"),
  /** How long a product read stays cached (it is also dropped on every change). */
  CACHE_TTL_SECONDS: int(300, 1),
  /** How long a search page or the category tree stays cached (also dropped on every change). */
  SEARCH_CACHE_TTL_SECONDS: int(60, 1),
  /**
   * How long a page of an "in stock only" search stays cached at most. Pages are also dropped
   * whenever a product's in-stock flag changes; this bounds staleness if that signal is lost.
   */
  IN_STOCK_CACHE_TTL_SECONDS: int(5, 1),
  /**
   * Redis pub/sub channel on which every cache invalidation is announced (not prefixed); the
   * BFF listens on the same channel (its CATALOG_CHANGES_CHANNEL) to drop its response cache.
   */
  CHANGES_CHANNEL: z.string().min(1).default("shopmesh:catalog:changes"),
  /** ISO 4217 code of every price in the catalog. */
  CATALOG_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an upper case ISO 4217 code such as EUR")
    .refine(isCurrency, "is not an ISO 4217 currency")
    .default("EUR"),
  /**
   * The PostgreSQL text search configuration of product search ("english", "german", "simple"
   * for no stemming...). Changing it rebuilds the search vectors at the next start.
   */
  SEARCH_CONFIG: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "must be a text search configuration name such as english or simple")
    .default("english"),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type CatalogConfig = ReturnType<typeof loadCatalogConfig>;

/** Reads catalog's configuration once; throws a ConfigError naming every bad variable. */
export function loadCatalogConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(CATALOG_CONFIG, env);
  checkTlsFiles(config);
  return config;
}

function isCurrency(code: string): boolean {
  try {
    return Intl.supportedValuesOf("currency").includes(code);
  } catch {
    return false;
  }
}
