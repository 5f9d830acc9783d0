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
import { SAGA_STEPS } from "./domain/saga.ts";

/** host:port of a peer service. */
function address(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((value) => /^[^\s:/]+:\d{1,5}$/.test(value), "must be host:port");
}

/** The environment the order service reads (ARCHITECTURE.md section 9), with the local defaults. */
export const ORDER_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50055),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9468),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of order's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("order"),
  /** identity: its JWKS verifies the access tokens of customers and staff. */
  IDENTITY_ADDRESS: address("127.0.0.1:50051"),
  /** cart: the customer's cart at checkout (read with the customer's own token). */
  CART_ADDRESS: address("127.0.0.1:50054"),
  /** inventory: reservations, and stock back when a confirmed order is cancelled. */
  INVENTORY_ADDRESS: address("127.0.0.1:50053"),
  /** payment: authorise, capture, void, refund. */
  PAYMENT_ADDRESS: address("127.0.0.1:50056"),
  /** shipping: quotes and shipments. */
  SHIPPING_ADDRESS: address("127.0.0.1:50057"),
  /**
   * The shared secret of service tokens: order calls inventory, payment and shipping as the
   * service "order", and they refuse those calls without it.
   */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Deadline of each call to another service (one attempt of one saga step). */
  PEER_TIMEOUT_MS: int(5_000, 1),
  /** How long PlaceOrder (and CancelOrder) wait for the saga before answering the order as it stands. */
  PLACE_ORDER_WAIT_MS: int(10_000, 0),
  /** Attempts of a saga step whose service is unavailable before the checkout gives up. */
  SAGA_STEP_MAX_ATTEMPTS: int(5, 1),
  /** Time from a step's first attempt after which the checkout gives up on it. */
  SAGA_STEP_BUDGET_MS: int(30_000, 1),
  /** First retry delay of a step; doubles per attempt, with jitter. */
  SAGA_RETRY_BASE_MS: int(200, 1),
  /** Longest retry delay of a forward step. */
  SAGA_RETRY_MAX_MS: int(5_000, 1),
  /** Longest delay between attempts of a compensation (which retries until it succeeds). */
  SAGA_COMPENSATION_RETRY_MAX_MS: int(30_000, 1),
  /** A process drives a saga under a lease this long, renewed by every step; after a crash another takes over. */
  SAGA_LEASE_MS: int(30_000, 100),
  /** How often the recovery loop looks for unfinished sagas that are due and unleased. */
  RECOVERY_INTERVAL_MS: int(2_000, 10),
  /** How long inventory holds the stock of a checkout; must outlast a payment confirmation. */
  RESERVATION_TTL_SECONDS: int(3_600, 60),
  /** How long an asynchronous payment confirmation is awaited before the checkout fails. */
  PAYMENT_CONFIRMATION_TIMEOUT_MS: int(900_000, 1),
  /** How often a waiting checkout asks payment whether the confirmation came (events wake it sooner). */
  PAYMENT_POLL_MS: int(30_000, 10),
  /**
   * Test hook: the saga stops before this step (and waits until the process ends), so a test can
   * kill the process at a precise point. Never set it in production.
   */
  ORDER_SAGA_PAUSE_AT: z.enum(SAGA_STEPS as [string, ...string[]]).optional(),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type OrderConfig = ReturnType<typeof loadOrderConfig>;

/**
 * Reads order's configuration once; throws a ConfigError naming every bad variable, including
 * combinations that would break the saga: a reservation must outlast the payment confirmation
 * wait (or the commit after it would find the stock gone), and a lease must outlast one call.
 */
export function loadOrderConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(ORDER_CONFIG, env);
  checkTlsFiles(config);
  const problems: { variable: string; message: string }[] = [];
  const confirmationSeconds = Math.ceil(config.PAYMENT_CONFIRMATION_TIMEOUT_MS / 1000);
  if (config.RESERVATION_TTL_SECONDS < confirmationSeconds + 60) {
    problems.push({
      variable: "RESERVATION_TTL_SECONDS",
      message: `must exceed PAYMENT_CONFIRMATION_TIMEOUT_MS by at least a minute (${confirmationSeconds + 60} s or more)`,
    });
  }
  if (config.SAGA_LEASE_MS < 2 * config.PEER_TIMEOUT_MS) {
    problems.push({ variable: "SAGA_LEASE_MS", message: "must be at least twice PEER_TIMEOUT_MS" });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
