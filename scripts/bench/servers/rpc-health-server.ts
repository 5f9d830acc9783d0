/**
 * The kit's gRPC server with nothing registered but what every service serves, grpc.health.v1:
 * measures the RPC engine itself (HTTP/2, framing, protobuf-es serialisation, interceptors).
 * Prints `ready <port>`.
 */
import { createLogger } from "@shopmesh/kit/log";
import { createRpcServer } from "@shopmesh/kit/rpc";

const server = createRpcServer({
  service: "bench",
  logger: createLogger({ service: "bench", level: "warn" }),
});
const port = await server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
console.log(`ready ${port}`);
process.on("SIGTERM", async () => {
  await server.shutdown(1000);
  process.exit(0);
});
