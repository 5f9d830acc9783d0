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

/**
 * The webhook secret of the sandbox provider when SANDBOX_WEBHOOK_SECRET is unset outside
 * production: known to everyone, so local tools and tests can sign sandbox webhooks.
 */
export const DEV_SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_local_development_only";

/** The longest IDEMPOTENCY_RETENTION_HOURS: a year. */
const MAX_IDEMPOTENCY_RETENTION_HOURS = 8_760;

/** The environment payment reads (ARCHITECTURE.md section 9), with the local defaults. */
export const PAYMENT_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50056),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9469),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of payment's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("payment"),
  NODE_ENV: z.string().default("development"),
  /** identity's gRPC address: its JWKS verifies the access tokens of staff calls. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /** The shared secret of service tokens; without it the order service cannot take payments. */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * The secret the sandbox provider signs its webhooks with. Required in production; elsewhere
   * it defaults to DEV_SANDBOX_WEBHOOK_SECRET.
   */
  SANDBOX_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * Where the sandbox delivers the confirmation webhook of tok_sandbox_async payments (the BFF's
   * POST /webhooks/payments/sandbox). Unset: the sandbox sends nothing and something else (a
   * test, curl) confirms.
   */
  SANDBOX_WEBHOOK_URL: z
    .string()
    .refine((value) => {
      try {
        return ["http:", "https:"].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, "must be an http(s) URL")
    .optional(),
  /** How long the sandbox "thinks" before it confirms an asynchronous payment, in milliseconds. */
  SANDBOX_CONFIRM_DELAY_MS: int(2_000),
  /** Intents still REQUIRES_CONFIRMATION this long after they were created fail (confirmation_timeout). */
  PAYMENT_CONFIRMATION_TIMEOUT_MS: int(600_000, 1),
  /** How often the sweeper looks for unconfirmed intents past the timeout, in milliseconds. */
  PAYMENT_SWEEP_MS: int(5_000, 100),
  /**
   * How long the answer kept under an idempotency key is kept, in whole hours (24, as Stripe
   * does; at most a year). Older keys are pruned: the same key after that is a new request.
   */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce
    .number({ message: "must be a whole number of hours" })
    .int("must be a whole number of hours")
    .min(1, "must be at least 1 hour")
    .max(MAX_IDEMPOTENCY_RETENTION_HOURS, `must be at most ${MAX_IDEMPOTENCY_RETENTION_HOURS} hours (a year)`)
    .default(24),
  /** How often idempotency keys past the retention are pruned, in milliseconds (10 min). */
  IDEMPOTENCY_PRUNE_MS: int(600_000, 1_000),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type PaymentConfig = ReturnType<typeof loadPaymentConfig>;

/**
 * Reads payment's configuration once; throws a ConfigError naming every bad variable. In
 * production the sandbox's webhook secret must be set, and not to the public development one.
 */
export function loadPaymentConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(PAYMENT_CONFIG, env);
  checkTlsFiles(config);
  const production = config.NODE_ENV === "production";
  const secret = config.SANDBOX_WEBHOOK_SECRET;
  if (production && (secret === undefined || secret === DEV_SANDBOX_WEBHOOK_SECRET)) {
    throw new ConfigError([
      {
        variable: "SANDBOX_WEBHOOK_SECRET",
        message: "is required when NODE_ENV=production (and must not be the development default)",
      },
    ]);
  }
  return { ...config, SANDBOX_WEBHOOK_SECRET: secret ?? DEV_SANDBOX_WEBHOOK_SECRET };
}
