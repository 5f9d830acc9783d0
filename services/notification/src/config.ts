import {
  ConfigError,
  infrastructure,
  int,
  loadConfig,
  port,
  tlsFiles,
  tlsProblems,
  url,
  z,
} from "@shopmesh/kit/config";

/** A comma-separated list of email addresses ("ops@shop.example,owner@shop.example"). */
const emailList = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const list = value
      .split(",")
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
    for (const entry of list) {
      if (!/^[^\s@<>,]+@[^\s@<>,]+$/.test(entry)) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not an email address` });
      }
    }
    return [...new Set(list)];
  });

/** The environment notification reads (ARCHITECTURE.md section 9), with the local defaults. */
export const NOTIFICATION_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50058),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9471),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of notification's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("notification"),
  /** identity's gRPC address: its JWKS verifies access tokens; with a service token, it also answers user look-ups. */
  IDENTITY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  /**
   * The shared secret of service tokens. With it, notification asks identity for recipients it
   * has not seen an event of (users from before it ran, the seeded admin); without it, recipients
   * come from identity's events only.
   */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** The SMTP server that sends email: smtp://[user:pass@]host:port, or smtps:// for implicit TLS. */
  SMTP_URL: url("smtp://127.0.0.1:1025", ["smtp:", "smtps:"]),
  /** Connection, greeting and socket timeout of one SMTP attempt, in milliseconds. */
  SMTP_TIMEOUT_MS: int(10_000, 100),
  /** The From of every email. */
  MAIL_FROM: z.string().min(3).default("shopmesh <no-reply@shopmesh.local>"),
  /** The right-hand side of Message-IDs (<delivery id@domain>). */
  MAIL_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, "must be a domain name")
    .default("shopmesh.local"),
  /** The storefront's base URL, for links in messages (orders, email verification, password reset). */
  STOREFRONT_URL: url("http://localhost:3000", ["http:", "https:"]),
  /** The shop's name in messages. */
  SHOP_NAME: z.string().min(1).default("shopmesh"),
  /** The locale of users who have none, and the last fallback of templates. */
  DEFAULT_LOCALE: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a BCP 47 language tag like en or de-CH")
    .default("en"),
  /** Where low-stock alerts go besides the users with the admin role (email only). */
  NOTIFY_ADMIN_EMAILS: emailList,
  /** Attempts of a delivery before it is dead-lettered. */
  DELIVERY_MAX_ATTEMPTS: int(6, 1),
  /** The first retry delay; doubled per attempt, with jitter, up to DELIVERY_RETRY_MAX_MS. */
  DELIVERY_RETRY_BASE_MS: int(30_000, 1),
  DELIVERY_RETRY_MAX_MS: int(3_600_000, 1),
  /** How long a claimed delivery is held by one dispatcher before another may try it. */
  DELIVERY_LEASE_MS: int(60_000, 1_000),
  /** How often the dispatcher looks for due deliveries when not woken by a new one. */
  DISPATCH_POLL_MS: int(1_000, 10),
  /** Deliveries sent at once by one process. */
  DISPATCH_CONCURRENCY: int(4, 1),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type NotificationConfig = ReturnType<typeof loadNotificationConfig>;

/** Reads notification's configuration once; throws a ConfigError naming every bad variable. */
export function loadNotificationConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(NOTIFICATION_CONFIG, env);
  const problems = tlsProblems(config);
  if (config.DELIVERY_RETRY_MAX_MS < config.DELIVERY_RETRY_BASE_MS) {
    problems.push({
      variable: "DELIVERY_RETRY_MAX_MS",
      message: "must not be below DELIVERY_RETRY_BASE_MS",
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
