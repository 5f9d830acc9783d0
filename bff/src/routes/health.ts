import { z } from "@hono/zod-openapi";
import { problemResponse, problemResponses } from "../errors/index.ts";
import type { SurfaceApp } from "./types.ts";

export interface HealthOptions {
  /** Named checks; /readyz is ready when every one resolves true in time. */
  readiness: Record<string, () => Promise<boolean>>;
  /** Per-check deadline; a slower check counts as failing. Default 800 ms (probes time out at 1 s). */
  timeoutMs?: number;
}

type CheckResult = "ok" | "failing" | "timeout";

/**
 * `/healthz`: the process is alive (no dependency is asked, so a Redis outage never gets the BFF
 * restarted). `/readyz`: 200 when every readiness check passes, else 503 problem NOT_READY with
 * `checks` naming each result, so the load balancer stops sending traffic.
 */
export function registerHealth(app: SurfaceApp, options: HealthOptions): void {
  const timeoutMs = options.timeoutMs ?? 800;
  const names = Object.keys(options.readiness);

  app.get("/healthz", (c) => c.json({ status: "ok" }, 200, { "Cache-Control": "no-store" }));

  app.get("/readyz", async (c) => {
    const results = await Promise.all(
      names.map(async (name) => [name, await runCheck(options.readiness[name]!, timeoutMs)] as const),
    );
    const checks = Object.fromEntries(results) as Record<string, CheckResult>;
    const failing = results.filter(([, result]) => result !== "ok").map(([name]) => name);
    if (failing.length === 0)
      return c.json({ status: "ready", checks }, 200, { "Cache-Control": "no-store" });
    return problemResponse(c, {
      status: 503,
      code: "NOT_READY",
      detail: `Not ready: ${failing.join(", ")}.`,
      headers: { "Cache-Control": "no-store" },
      extensions: { checks },
    });
  });

  const Checks = z.record(z.string(), z.enum(["ok", "failing", "timeout"]));
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/healthz",
    tags: ["platform"],
    summary: "Liveness: the process is up",
    responses: {
      200: {
        description: "Alive",
        content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
      },
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/readyz",
    tags: ["platform"],
    summary: "Readiness: every dependency answers",
    responses: {
      200: {
        description: "Ready",
        content: { "application/json": { schema: z.object({ status: z.literal("ready"), checks: Checks }) } },
      },
      ...problemResponses(503),
    },
  });
}

async function runCheck(check: () => Promise<boolean>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([
      check().then((ok) => (ok ? "ok" : "failing") as CheckResult),
      timeout,
    ]);
    return result;
  } catch {
    return "failing";
  } finally {
    clearTimeout(timer);
  }
}
