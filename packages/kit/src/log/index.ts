import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerConfig {
  /** The service name, on every line as `service`. */
  service: string;
  /** pino level; defaults to LOG_LEVEL or "info". */
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/**
 * Creates the service's root logger: JSON lines with `service`, ISO time and the level as a word.
 * Request-scoped children add `requestId`, `traceId` and `userId`:
 *
 *   const log = createLogger({ service: "identity" });
 *   log.child({ requestId, traceId, userId }).info("logged in");
 */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? process.env.LOG_LEVEL ?? "info",
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "refreshToken",
        "*.refreshToken",
        "authorization",
      ],
      censor: "[redacted]",
    },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
