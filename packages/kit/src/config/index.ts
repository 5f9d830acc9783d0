import { z } from "zod";
import { ConfigError } from "./errors.ts";

export { ConfigError } from "./errors.ts";
export { checkTlsFiles, type TlsFiles, tlsFiles, tlsProblems } from "./tls.ts";
export { z };

/**
 * Reads configuration once from environment variables, validated by a zod object whose keys are
 * the variable names. Fails fast with a ConfigError naming each missing or malformed variable.
 *
 *   const config = loadConfig({ PORT: port(8080), DATABASE_URL: url("postgres://...") });
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === "" ? undefined : value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? "?"),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** A TCP port number, with a default. */
export function port(fallback: number) {
  return z.coerce.number().int().min(0).max(65535).default(fallback);
}

/** A URL with one of the given protocols ("postgres:", "nats:", "redis:"...), with a default. */
export function url(fallback: string, protocols?: string[]) {
  return z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          const parsed = new URL(value);
          return !protocols || protocols.includes(parsed.protocol);
        } catch {
          return false;
        }
      },
      `must be a URL${protocols ? ` (${protocols.join(", ")})` : ""}`,
    );
}

/** A whole number of milliseconds or seconds, with a default. */
export function int(fallback: number, min = 0) {
  return z.coerce.number().int().min(min).default(fallback);
}

/** "true"/"false"/"1"/"0", with a default. */
export function bool(fallback: boolean) {
  return z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === "true" || value === "1"));
}

/** The variables every service reads, with the local defaults of ARCHITECTURE.md section 9. */
export const infrastructure = {
  DATABASE_URL: url("postgres://postgres@127.0.0.1:5432/shopmesh", ["postgres:", "postgresql:"]),
  NATS_URL: url("nats://127.0.0.1:4222", ["nats:", "tls:"]),
  REDIS_URL: url("redis://127.0.0.1:6379", ["redis:", "rediss:"]),
  /** Prefixes every JetStream stream and subject; tests set their own to stay isolated. */
  EVENTS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "must be lower case letters, digits and _")
    .default("shopmesh"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};
