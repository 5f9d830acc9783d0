import {
  bool,
  ConfigError,
  infrastructure,
  int,
  loadConfig,
  port,
  tlsFiles,
  tlsProblems,
  z,
} from "@shopmesh/kit/config";

/** A comma-separated list of exact origins ("https://shop.example.com,http://localhost:3000"). */
function origins(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const list = value
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of list) {
        let origin: string | undefined;
        try {
          origin = new URL(entry).origin;
        } catch {}
        // "*" would hand every site the user's refresh cookie, so only real origins are accepted.
        if (origin !== entry) {
          ctx.addIssue({
            code: "custom",
            message: `"${entry}" is not an origin like https://shop.example.com`,
          });
        }
      }
      return list;
    });
}

/** "false"/"0" (default): no proxy; "true": one; or the number of proxies that append X-Forwarded-For. */
const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === "false") return 0;
    if (value === "true") return 1;
    if (/^\d+$/.test(value)) return Number(value);
    ctx.addIssue({ code: "custom", message: "must be true, false or a number of proxies" });
    return z.NEVER;
  });

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A service's gRPC address ("host:port") with its local default. */
const address = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d+$/, "must be host:port")
    .default(fallback);

/** The BFF's variables, with local defaults (ARCHITECTURE.md section 9). */
export const bffConfigShape = {
  PORT: port(8080),
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  REDIS_URL: infrastructure.REDIS_URL,
  /** identity's gRPC address. */
  IDENTITY_ADDRESS: address("127.0.0.1:50051"),
  /** Browser origins allowed on /api/v1 and /admin/v1, with credentials. */
  CORS_ORIGINS: origins("http://localhost:3000,http://localhost:5173"),
  TRUST_PROXY: trustProxy,
  BODY_LIMIT_BYTES: int(1_048_576, 1),
  RATE_LIMIT_WINDOW_MS: int(60_000, 1_000),
  /** Requests per window per user (or address) on every surface. */
  RATE_LIMIT_LIMIT: int(300, 1),
  /** Requests per window per address on `.../auth/*` routes, on top of the general limit. */
  RATE_LIMIT_AUTH_LIMIT: int(20, 1),
  /** The cart service's gRPC address. */
  CART_ADDRESS: address("127.0.0.1:50054"),
  /** The catalog service's gRPC address. */
  CATALOG_ADDRESS: address("127.0.0.1:50052"),
  /** The inventory service's gRPC address. */
  INVENTORY_ADDRESS: address("127.0.0.1:50053"),
  /** The order service's gRPC address. */
  ORDER_ADDRESS: address("127.0.0.1:50055"),
  /** The payment service's gRPC address. */
  PAYMENT_ADDRESS: address("127.0.0.1:50056"),
  /** The shipping service's gRPC address. */
  SHIPPING_ADDRESS: address("127.0.0.1:50057"),
  /** The audit service's gRPC address. */
  AUDIT_ADDRESS: address("127.0.0.1:50059"),
  /** The notification service's gRPC address. */
  NOTIFICATION_ADDRESS: address("127.0.0.1:50058"),
  /** NATS, where the live notification streams get their events (every replica subscribes). */
  NATS_URL: infrastructure.NATS_URL,
  /** The platform's event prefix (the services' EVENTS_PREFIX). */
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  /** How often a live notification stream sends a keep-alive comment, in milliseconds. */
  SSE_HEARTBEAT_MS: int(15_000, 100),
  RATE_LIMIT_PREFIX: z.string().default("shopmesh:bff:rl:"),
  /**
   * The catalog's Redis pub/sub channel of changes (catalog's CHANGES_CHANNEL): every message
   * empties the BFF's cache of public catalog answers.
   */
  CATALOG_CHANGES_CHANNEL: z.string().min(1).default("shopmesh:catalog:changes"),
  /**
   * How long the BFF keeps a public catalog answer (product, search page, categories, suggestions)
   * in memory at most; 0 turns the cache off. Changes empty it at once; this bounds staleness
   * should a change message be lost.
   */
  CATALOG_CACHE_TTL_MS: int(5_000, 0),
  /** How many catalog answers the BFF keeps in memory at most. */
  CATALOG_CACHE_ENTRIES: int(5_000, 1),
  /** Secure attribute of cookies. Browsers treat http://localhost as secure, so local dev keeps it. */
  COOKIE_SECURE: bool(true),
  /**
   * The web surface's refresh-token cookie. The __Host- prefix makes browsers bind it to exactly
   * this host with Path=/ (no subdomain can set or overwrite it); it requires COOKIE_SECURE.
   */
  REFRESH_COOKIE_NAME: z
    .string()
    .regex(COOKIE_NAME, "must be a cookie name token")
    .default("__Host-shopmesh_rt"),
  /** The web surface's guest-cart cookie (HttpOnly, SameSite=Lax, Path=/). */
  CART_COOKIE_NAME: z
    .string()
    .regex(COOKIE_NAME, "must be a cookie name token")
    .default("__Host-shopmesh_cart"),
  /** Native gRPC TLS / mutual TLS towards the services outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type BffConfig = ReturnType<typeof loadBffConfig>;

/**
 * Reads the BFF's configuration once; throws a ConfigError naming every bad variable.
 *
 *   const config = loadBffConfig(); // process.env
 */
export function loadBffConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(bffConfigShape, env);
  const prefixed = (["REFRESH_COOKIE_NAME", "CART_COOKIE_NAME"] as const).filter(
    (variable) => !config.COOKIE_SECURE && /^__(Host|Secure)-/.test(config[variable]),
  );
  const problems = [
    ...prefixed.map((variable) => ({
      variable,
      message: "a __Host- or __Secure- cookie needs COOKIE_SECURE=true (browsers drop it otherwise)",
    })),
    ...tlsProblems(config),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
