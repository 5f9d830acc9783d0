import { EventEmitter, on } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Health as HealthService,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@shopmesh/contracts/grpc/health/v1/health_pb";
import type { ServiceHandlers } from "./types.ts";

export type HealthStatus = "SERVING" | "NOT_SERVING";

/** The grpc.health.v1 state of a server: a status per service name, "" for the whole server. */
export interface Health {
  setStatus(service: string, status: HealthStatus): void;
  /** Every service NOT_SERVING, for good: called when shutdown starts. */
  shutdown(): void;
  /** The handlers of grpc.health.v1.Health (Check, List, Watch). */
  handlers: ServiceHandlers<typeof HealthService>;
}

/** Creates the health state of a server; the whole server ("") starts SERVING. */
export function createHealth(): Health {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  let stopped = false;

  function set(service: string, status: ServingStatus): void {
    if (statuses.get(service) === status) return;
    statuses.set(service, status);
    changes.emit("change", service, status);
  }

  return {
    setStatus(service, status) {
      if (stopped) return;
      set(service, status === "SERVING" ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    },
    shutdown() {
      stopped = true;
      for (const service of statuses.keys()) set(service, ServingStatus.NOT_SERVING);
    },
    handlers: {
      async check(request) {
        const status = statuses.get(request.service);
        if (status === undefined) throw new ConnectError(`unknown service ${request.service}`, Code.NotFound);
        return { status };
      },
      async list() {
        const result: Record<string, { status: ServingStatus }> = {};
        for (const [service, status] of statuses) result[service] = { status };
        return { statuses: result };
      },
      async *watch(request, ctx) {
        // Listen before reading the current status so no change falls between the two.
        const updates = on(changes, "change", { signal: ctx.signal });
        yield { status: statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN };
        try {
          for await (const [service, status] of updates) {
            if (service === request.service) yield { status: status as ServingStatus };
          }
        } catch (error) {
          if (!ctx.signal.aborted) throw error;
        }
      },
    },
  };
}
