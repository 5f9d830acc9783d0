import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { credentials, Client as GrpcClient, Metadata } from "@grpc/grpc-js";
import {
  type HealthCheckRequest,
  HealthCheckRequestSchema,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "@shopmesh/contracts/grpc/health/v1/health_pb";
import type { HealthTarget } from "./plan.ts";

export type ServingStatus = "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN";

/** A grpc.health.v1 client for one address; `check()` rejects when the server does not answer. */
export interface GrpcHealthProbe {
  check(service?: string, timeoutMs?: number): Promise<ServingStatus>;
  close(): void;
}

/** Asks a gRPC server's standard health service (grpc.health.v1.Health/Check) how it is. */
export function createGrpcHealthProbe(address: string): GrpcHealthProbe {
  const client = new GrpcClient(address, credentials.createInsecure(), {
    // probes poll a server that is still starting: retry the connection quickly, and keep this
    // channel's backoff to itself rather than sharing grpc-js's global subchannel pool
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 500,
    "grpc.use_local_subchannel_pool": 1,
  });
  return {
    check(service = "", timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest<HealthCheckRequest, HealthCheckResponse>(
          "/grpc.health.v1.Health/Check",
          (message) => Buffer.from(toBinary(HealthCheckRequestSchema, message)),
          (bytes) => fromBinary(HealthCheckResponseSchema, bytes),
          create(HealthCheckRequestSchema, { service }),
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (error, response) => {
            if (error || !response) reject(error ?? new Error("empty health response"));
            else resolve(statusName(response.status));
          },
        );
      });
    },
    close: () => client.close(),
  };
}

function statusName(status: HealthCheckResponse_ServingStatus): ServingStatus {
  switch (status) {
    case HealthCheckResponse_ServingStatus.SERVING:
      return "SERVING";
    case HealthCheckResponse_ServingStatus.NOT_SERVING:
      return "NOT_SERVING";
    case HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

/** A reusable readiness probe: resolves to undefined when ready, or to why it is not. */
export type ReadinessProbe = { probe(): Promise<string | undefined>; close(): void };

/** gRPC targets are ready when Check says SERVING; HTTP targets when GET answers 2xx. */
export function createReadinessProbe(target: HealthTarget): ReadinessProbe {
  if (target.kind === "grpc") {
    const health = createGrpcHealthProbe(target.address);
    return {
      async probe() {
        try {
          const status = await health.check();
          return status === "SERVING" ? undefined : `health status ${status}`;
        } catch (error) {
          return `health check failed: ${(error as Error).message}`;
        }
      },
      close: () => health.close(),
    };
  }
  return {
    async probe() {
      try {
        const response = await fetch(target.url, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return response.ok ? undefined : `GET ${target.url} answered ${response.status}`;
      } catch (error) {
        return `GET ${target.url} failed: ${(error as Error).message}`;
      }
    },
    close: () => {},
  };
}

/**
 * Polls `probe` until it reports ready, `timeoutMs` passes, or `signal` aborts (for example
 * because the process died). Throws with the last reason it was not ready.
 */
export async function waitUntilReady(
  probe: ReadinessProbe,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let reason: string | undefined = "not probed yet";
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    reason = await probe.probe();
    if (reason === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  options.signal?.throwIfAborted();
  throw new NotReadyError(options.timeoutMs, reason);
}

/** The wait ran out; `reason` is the last answer of the probe. */
export class NotReadyError extends Error {
  override name = "NotReadyError";
  readonly reason: string;
  constructor(timeoutMs: number, reason: string) {
    super(`not ready after ${timeoutMs} ms: ${reason}`);
    this.reason = reason;
  }
}
