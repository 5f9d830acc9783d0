import {
  ConfigError,
  infrastructure,
  loadConfig,
  port,
  tlsFiles,
  tlsProblems,
  z,
} from "@shopmesh/kit/config";
import { isDomainError } from "@shopmesh/kit/errors";
import { validateRegistration } from "./domain/user.ts";

/** The environment identity reads (ARCHITECTURE.md section 9), with the local defaults. */
export const IDENTITY_CONFIG = {
  /** gRPC port; 0 picks a free one. */
  PORT: port(50051),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Prometheus /metrics port; 0 turns the endpoint off. */
  METRICS_PORT: port(9464),
  DATABASE_URL: infrastructure.DATABASE_URL,
  NATS_URL: infrastructure.NATS_URL,
  EVENTS_PREFIX: infrastructure.EVENTS_PREFIX,
  LOG_LEVEL: infrastructure.LOG_LEVEL,
  /** The PostgreSQL schema of identity's tables. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be lower case letters, digits and _")
    .default("identity"),
  NODE_ENV: z.string().default("development"),
  /** 32 random bytes in base64 (`openssl rand -base64 32`): seals TOTP secrets and signing keys. */
  SECRETS_KEY: z
    .string()
    .refine((value) => Buffer.from(value.trim(), "base64").length === 32, "must be 32 bytes in base64")
    .optional(),
  /** The shared secret of service tokens; without it other services cannot call as themselves. */
  SERVICE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** The demo admin created at start when both are set (an existing account is left alone). */
  SHOPMESH_ADMIN_EMAIL: z.string().optional(),
  SHOPMESH_ADMIN_PASSWORD: z.string().optional(),
  /** Native gRPC TLS / mutual TLS outside a mesh (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE). */
  ...tlsFiles,
};

export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

/**
 * Reads identity's configuration once; throws a ConfigError naming every bad variable, including
 * a missing SECRETS_KEY in production and a demo admin login the password policy refuses.
 */
export function loadIdentityConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(IDENTITY_CONFIG, env);
  const problems: { variable: string; message: string }[] = tlsProblems(config);
  if (config.NODE_ENV === "production" && !config.SECRETS_KEY) {
    problems.push({ variable: "SECRETS_KEY", message: "is required when NODE_ENV=production" });
  }
  const email = config.SHOPMESH_ADMIN_EMAIL;
  const password = config.SHOPMESH_ADMIN_PASSWORD;
  if ((email === undefined) !== (password === undefined)) {
    const missing = email === undefined ? "SHOPMESH_ADMIN_EMAIL" : "SHOPMESH_ADMIN_PASSWORD";
    problems.push({ variable: missing, message: "must be set together with the other admin variable" });
  } else if (email !== undefined && password !== undefined) {
    try {
      validateRegistration({ email, password, displayName: "Admin", locale: "" });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      for (const violation of error.violations) {
        const variable = violation.field === "email" ? "SHOPMESH_ADMIN_EMAIL" : "SHOPMESH_ADMIN_PASSWORD";
        problems.push({ variable, message: violation.description });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
