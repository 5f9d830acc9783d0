import type { Logger } from "@shopmesh/kit/log";
import type { MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's logger: the root logger with requestId, traceId and (once known) userId. */
    log: Logger;
  }
}

export interface RequestLogOptions {
  logger: Logger;
  /** Paths not logged on success (probes and scrapes). Default /healthz, /readyz, /metrics. */
  quietPaths?: readonly string[];
}

/**
 * Puts a child logger on the request (`c.get("log")`) and writes one line per request when it
 * ends: method, path, status and milliseconds. Runs after request-id and trace-context.
 */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  const quiet = new Set(options.quietPaths ?? ["/healthz", "/readyz", "/metrics"]);
  return async function requestLog(c, next) {
    const started = performance.now();
    c.set("log", options.logger.child({ requestId: c.get("requestId"), traceId: c.get("trace")?.traceId }));
    await next();
    const status = c.res.status;
    if (status < 500 && quiet.has(c.req.path)) return;
    // The auth middleware has replaced `log` by a child carrying userId by now.
    const line = {
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) c.get("log").warn(line, "request");
    else c.get("log").info(line, "request");
  };
}
