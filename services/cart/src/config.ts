import { checkTlsFiles, infrastructure, int, loadConfig, port, tlsFiles, z } from "@shopmesh/kit/config";

const DAY_SECONDS = 86_400;

/** host:port of a peer service. */
function address(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((value) => /^[^\s:/]+:\d{1,5}$/.test(value), "must be host:port");
}

/** The environment the cart service reads (ARCHITECTURE.md section 9), with the local defaults. */
export const CART_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50054),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9467),
  REDIS_URL: infrastructure.REDIS_URL,
  /**
   * NATS with JetStream: the cart publishes CartCreated on stream <EVENTS_PREFIX>_CART and
   * consumes OrderConfirmed from <EVENTS_PREFIX>_ORDER (durable consumer "cart-order-confirmed").
   */
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  /** Prefix of every Redis key of the carts; tests use their own. */
  CART_PREFIX: z.string().min(1).default("shopmesh:cart:"),
  /** A guest cart is deleted after this many seconds without being read or changed (7 days). */
  GUEST_CART_TTL_SECONDS: int(7 * DAY_SECONDS, 1),
  /** A user's cart is deleted after this many seconds without being read or changed (60 days). */
  USER_CART_TTL_SECONDS: int(60 * DAY_SECONDS, 1),
  /**
   * A confirmed order's items leave its customer's cart once: a marker per order, kept this many
   * seconds (7 days), makes a redelivered OrderConfirmed a no-op; older events are skipped.
   */
  ORDER_DEDUPE_TTL_SECONDS: int(7 * DAY_SECONDS, 60),
  /** Identity: its JWKS verifies the customers' access tokens. */
  IDENTITY_ADDRESS: address("127.0.0.1:50051"),
  /** Catalog: current prices (BatchGetVariants). */
  CATALOG_ADDRESS: address("127.0.0.1:50052"),
  /** Inventory: availability (GetAvailability). */
  INVENTORY_ADDRESS: address("127.0.0.1:50053"),
  /** Deadline of each call to catalog and inventory. */
  PEER_TIMEOUT_MS: int(2_000, 1),
  /**
   * The shared secret of service tokens: the cart calls catalog and inventory as the service
   * "cart". Without it those calls go out anonymously (enough while they stay public).
   */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type CartConfig = ReturnType<typeof loadCartConfig>;

/** Reads the cart service's configuration once; throws a ConfigError naming every bad variable. */
export function loadCartConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(CART_CONFIG, env);
  checkTlsFiles(config);
  return config;
}
