/**
 * What `npm start` runs. Each bounded context is a gRPC service with a fixed default port
 * (ARCHITECTURE.md section 9); the launcher starts those listed in `REGISTRY` whose folder exists.
 * Adding a service to the local platform is one line: `grpcService("catalog")`.
 */

/** Default gRPC port of every bounded context; each is overridable with `<NAME>_PORT`. */
export const GRPC_PORTS = {
  identity: 50051,
  catalog: 50052,
  inventory: 50053,
  cart: 50054,
  order: 50055,
  payment: 50056,
  shipping: 50057,
  notification: 50058,
  audit: 50059,
} as const;

export type ServiceName = keyof typeof GRPC_PORTS;

import type { LaunchConfig } from "./config.ts";

/** A process the launcher can run. */
export interface Launchable {
  /** Short name, used as the log prefix. */
  name: string;
  /** "grpc" services are probed with grpc.health.v1 Check; "http" with GET /readyz. */
  kind: "grpc" | "http";
  /** Folder relative to the repository root; the process is skipped when it does not exist. */
  dir: string;
  /** Entry module relative to the repository root, run with Node directly. */
  entry: string;
  /** Variables only this process gets, beyond the common ones. */
  env?: (config: LaunchConfig) => Record<string, string>;
}

/** A bounded-context service: services/<name>/src/main.ts. */
export function grpcService(name: ServiceName, extra: Pick<Launchable, "env"> = {}): Launchable {
  return { name, kind: "grpc", dir: `services/${name}`, entry: `services/${name}/src/main.ts`, ...extra };
}

/** Identity seeds the demo admin at start from these (when no admin exists yet). */
function adminEnv(config: LaunchConfig): Record<string, string> {
  return { SHOPMESH_ADMIN_EMAIL: config.admin.email, SHOPMESH_ADMIN_PASSWORD: config.admin.password };
}

/**
 * The sandbox payment provider confirms asynchronous payments with a signed webhook, as a real
 * provider would: through the BFF's public webhook route.
 */
function sandboxWebhookEnv(config: LaunchConfig): Record<string, string> {
  return { SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${config.httpPort}/webhooks/payments/sandbox` };
}

/** The Hono backend-for-frontend. */
export function bff(): Launchable {
  return { name: "bff", kind: "http", dir: "bff", entry: "bff/src/main.ts" };
}

/** The local platform, in start order: the services first, the BFF (which calls them) last. */
export const REGISTRY: readonly Launchable[] = [
  grpcService("identity", { env: adminEnv }),
  grpcService("catalog"),
  grpcService("inventory"),
  grpcService("cart"),
  grpcService("payment", { env: sandboxWebhookEnv }),
  grpcService("shipping"),
  grpcService("order"),
  grpcService("notification", { env: (config) => ({ SMTP_URL: config.mail.url }) }),
  grpcService("audit"),
  bff(),
];

/** `identity` → `IDENTITY_PORT`; `identity` → `IDENTITY_ADDRESS`. */
export function serviceEnvName(name: string, suffix: "PORT" | "ADDRESS"): string {
  return `${name.toUpperCase().replaceAll("-", "_")}_${suffix}`;
}
