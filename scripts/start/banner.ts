import type { LaunchConfig } from "./config.ts";
import type { InfrastructureItem } from "./infra.ts";
import type { LaunchPlan } from "./plan.ts";

/** What the developer needs once the platform is up: where everything is and how to log in. */
export function formatBanner(
  plans: readonly LaunchPlan[],
  config: LaunchConfig,
  infrastructure: readonly InfrastructureItem[],
): string {
  const rows: [string, string][] = [];
  const bff = plans.find((plan) => plan.kind === "http");
  if (bff) {
    const base = `http://localhost:${bff.port}`;
    rows.push(
      ["BFF", base],
      ["API docs", `${base}/docs`],
      ["OpenAPI", `${base}/openapi.json`],
      ["Metrics", `${base}/metrics`],
    );
  }
  for (const plan of plans.filter((item) => item.kind === "grpc")) {
    const metrics = plan.metricsPort ? `   metrics http://localhost:${plan.metricsPort}/metrics` : "";
    rows.push([plan.name, `gRPC 127.0.0.1:${plan.port}${metrics}`]);
  }
  for (const item of infrastructure) rows.push([item.label, `${item.address}  (${item.note})`]);
  const source = config.admin.isDefault
    ? "  (defaults; set SHOPMESH_ADMIN_EMAIL / SHOPMESH_ADMIN_PASSWORD)"
    : "";
  rows.push(["Demo admin", `${config.admin.email} / ${config.admin.password}${source}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    "",
    "shopmesh is up",
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
