import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@shopmesh/contracts/grpc/health/v1/health_pb";
import type { ChannelTls } from "./channel.ts";
import { createRpcClient } from "./client.ts";

export type HealthAnswer = "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN" | "UNREACHABLE";

export interface HealthClient {
  /** The grpc.health.v1 status of `service` ("" = the whole server); UNREACHABLE when no answer. */
  check(service?: string, timeoutMs?: number): Promise<HealthAnswer>;
  close(): void;
}

/** A grpc.health.v1 client, for launchers, readiness checks and tests. */
export function createHealthClient(address: string, tls?: ChannelTls): HealthClient {
  const client = createRpcClient(Health, {
    address,
    maxAttempts: 1,
    breakerThreshold: 1_000_000,
    tls,
  });
  return {
    async check(service = "", timeoutMs = 1_000) {
      try {
        const { status } = await client.check({ service }, { timeoutMs });
        return (ServingStatus[status] as HealthAnswer | undefined) ?? "UNKNOWN";
      } catch {
        return "UNREACHABLE";
      }
    },
    close: () => client.close(),
  };
}
