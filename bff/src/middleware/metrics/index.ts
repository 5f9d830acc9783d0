import { Histogram, type Registry } from "@shopmesh/kit/metrics";
import type { Context, Handler, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";

export interface HttpMetricsOptions {
  registry: Registry;
  /** Histogram buckets in seconds. */
  buckets?: number[];
}

const NAME = "http_request_duration_seconds";
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Observes every request in `http_request_duration_seconds{method, route, status}`. `route` is the
 * matched route pattern ("/api/v1/orders/:id"), never the raw path, and "unmatched" for unknown
 * paths, so scanners cannot blow up the number of series.
 */
export function httpMetrics(options: HttpMetricsOptions): MiddlewareHandler {
  const histogram =
    (options.registry.getSingleMetric(NAME) as Histogram<"method" | "route" | "status"> | undefined) ??
    new Histogram({
      name: NAME,
      help: "Duration of HTTP requests served by the BFF, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: options.buckets ?? BUCKETS,
      registers: [options.registry],
    });
  // The series of each (method, route, status), looked up once: the registry hashes labels anew
  // on every observation otherwise. Routes are patterns and statuses few, so this stays small.
  const series = new Map<string, ReturnType<typeof histogram.labels>>();
  return async function httpMetrics(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const method = METHODS.has(c.req.method) ? c.req.method : "OTHER";
      const route = routePattern(c);
      const status = c.res.status;
      const key = `${method} ${status} ${route}`;
      let child = series.get(key);
      if (!child) {
        child = histogram.labels({ method, route, status: String(status) });
        series.set(key, child);
      }
      child.observe((performance.now() - started) / 1000);
    }
  };
}

/** The pattern of the endpoint (not middleware) the request matched. */
function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(registry: Registry): Handler {
  return async (c) => c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
}
