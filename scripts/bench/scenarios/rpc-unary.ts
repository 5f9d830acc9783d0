import { fileURLToPath } from "node:url";
import { Health } from "@shopmesh/contracts/grpc/health/v1/health_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { closedLoop } from "../load.ts";
import { startServerProcess } from "../server-process.ts";
import type { Scenario } from "../types.ts";

/**
 * The RPC engine between two processes: the kit's client calling grpc.health.v1 Check on the
 * kit's server, `connections` calls in flight (ARCHITECTURE.md section 4 asks for the engine that
 * does at least 6,000 calls/s here).
 */
export const rpcUnary: Scenario = {
  name: "rpc-unary",
  description: "kit createRpcClient -> createRpcServer, grpc.health.v1 Check",
  async run(context) {
    const entry = fileURLToPath(new URL("../servers/rpc-health-server.ts", import.meta.url));
    const { process: server, port } = await startServerProcess({ name: "rpc", entry });
    const client = createRpcClient(Health, { address: `127.0.0.1:${port}`, timeoutMs: 5000 });
    try {
      context.log(`rpc-unary: ${context.connections} calls in flight, ${context.durationS} s`);
      await closedLoop(() => client.check({}), { concurrency: context.connections, durationMs: 1000 });
      const result = await closedLoop(() => client.check({}), {
        concurrency: context.connections,
        durationMs: context.durationS * 1000,
      });
      return [
        {
          name: "rpc-unary",
          requestsPerSec: result.requestsPerSec,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          errors: result.errors,
          target: { requestsPerSec: 6000 },
          note: "unary calls/s, two processes",
        },
      ];
    } finally {
      client.close();
      await server.stop({ graceMs: 2000 });
    }
  },
};
