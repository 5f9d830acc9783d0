import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { BadRequestSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { StatusSchema } from "@shopmesh/contracts/google/rpc/status_pb";
import { EchoService } from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log/index.ts";
import { createRpcServer, invalidArgument, type RpcServer, type ServiceHandlers } from "../src/rpc/index.ts";

/**
 * createRpcServer against STOCK gRPC clients (grpc-js + proto-loader reading the .proto files):
 * the proof that the server speaks standard gRPC, not just what the kit's own client expects.
 */

const protoRoot = fileURLToPath(new URL("../../../proto/", import.meta.url));
const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [protoRoot],
  longs: String,
  enums: String,
  defaults: true,
};

function loadService(file: string, path: string[]): grpc.ServiceClientConstructor {
  let node: unknown = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER_OPTIONS));
  for (const part of path) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => grpc.ClientUnaryCall;

/** Calls a unary method of a stock client as a promise. */
function call(
  client: grpc.Client,
  method: string,
  request: object,
  metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    fn(request, metadata, options, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

type ClientStreaming = (
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => grpc.ClientWritableStream<object>;

/** Calls EchoCollect through a stock client's writable stream. */
function collect(client: grpc.Client, requests: object[]) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const fn = (client as unknown as Record<string, ClientStreaming>).echoCollect!.bind(client);
    const call = fn((error, response) => (error ? reject(error) : resolve(response)));
    for (const request of requests) call.write(request);
    call.end();
  });
}

let lastSignal: AbortSignal | undefined;
/** Not an assignment in the test itself, so TypeScript does not narrow `lastSignal` to undefined. */
function forgetSignal(): void {
  lastSignal = undefined;
}
const handlers: ServiceHandlers<typeof EchoService> = {
  async echo(request, ctx) {
    if (request.delayMs) {
      lastSignal = ctx.signal;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, request.delayMs);
        ctx.signal.addEventListener("abort", () => resolve(clearTimeout(timer)));
      });
    }
    if (request.failCode === Code.InvalidArgument) {
      throw invalidArgument([{ field: "message", description: "must not be empty" }]);
    }
    if (request.failCode === Code.FailedPrecondition) {
      throw new ConnectError("café closed: 100% full\nsorry", Code.FailedPrecondition);
    }
    return {
      message: request.message,
      requestId: ctx.requestId,
      traceparent: ctx.traceparent ?? "",
      userId: ctx.clientIp ?? "",
    };
  },
  async echoOnce(request) {
    return { message: request.message };
  },
  async *echoStream(request) {
    for (let index = 0; index < request.count; index++) yield { message: request.message, index };
  },
  async echoCollect(requests) {
    const messages: string[] = [];
    for await (const request of requests) {
      if (request.failCode) throw new ConnectError(`failed at ${request.message}`, request.failCode);
      messages.push(request.message);
    }
    return { count: messages.length, messages: messages.join(",") };
  },
};

let server: RpcServer;
let echo: grpc.Client;
let health: grpc.Client;

beforeAll(async () => {
  server = createRpcServer({ service: "echo", logger: createLogger({ service: "test", level: "silent" }) });
  server.add(EchoService, handlers, {
    echo: "public",
    echoOnce: "public",
    echoStream: "public",
    echoCollect: "public",
  });
  const address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  const Echo = loadService("shopmesh/testing/v1/echo.proto", ["shopmesh", "testing", "v1", "EchoService"]);
  const Health = loadService("grpc/health/v1/health.proto", ["grpc", "health", "v1", "Health"]);
  echo = new Echo(address, grpc.credentials.createInsecure());
  health = new Health(address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  echo?.close();
  health?.close();
  await server?.shutdown(100);
});

describe("createRpcServer with a stock grpc-js client", () => {
  it("answers a unary call and reads the call's metadata", async () => {
    const metadata = new grpc.Metadata();
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    metadata.set("x-request-id", "stock-1");
    metadata.set("traceparent", traceparent);
    metadata.set("x-client-ip", "203.0.113.7");
    metadata.set("trace-proto-bin", Buffer.from([0, 1, 2, 255]));
    const response = await call(echo, "Echo", { message: "hello" }, metadata);
    expect(response).toMatchObject({
      message: "hello",
      requestId: "stock-1",
      traceparent,
      userId: "203.0.113.7",
    });
  });

  it("sends INVALID_ARGUMENT with its field violations in grpc-status-details-bin", async () => {
    const error = (await call(echo, "Echo", { failCode: Code.InvalidArgument }).catch(
      (e) => e,
    )) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe("message: must not be empty");
    const [bytes] = error.metadata.get("grpc-status-details-bin");
    expect(bytes).toBeInstanceOf(Buffer);
    const status = fromBinary(StatusSchema, bytes as Buffer);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    const badRequest = anyUnpack(status.details[0]!, BadRequestSchema);
    expect(badRequest?.fieldViolations.map((v) => [v.field, v.description])).toEqual([
      ["message", "must not be empty"],
    ]);
  });

  it("delivers a non-ASCII, multi-line status message intact", async () => {
    const error = (await call(echo, "Echo", { failCode: Code.FailedPrecondition }).catch(
      (e) => e,
    )) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toBe("café closed: 100% full\nsorry");
  });

  it("streams server responses", async () => {
    const stream = (
      echo as unknown as Record<string, (request: object) => grpc.ClientReadableStream<{ index: number }>>
    ).EchoStream!({ message: "s", count: 3 });
    const received: number[] = [];
    for await (const message of stream) received.push(message.index);
    expect(received).toEqual([0, 1, 2]);
  });

  it("serves a client-streaming call written by a stock client", async () => {
    const answer = await collect(
      echo,
      ["a", "b", "c"].map((message) => ({ message })),
    );
    expect(answer).toMatchObject({ count: 3, messages: "a,b,c" });
  });

  it("sends a client-streaming handler's mid-stream error to a stock client", async () => {
    const error = await collect(echo, [
      { message: "a" },
      { message: "b", failCode: Code.FailedPrecondition },
      { message: "c" },
    ]).catch((caught: grpc.ServiceError) => caught);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect((error as grpc.ServiceError).details).toBe("failed at b");
  });

  it("serves the stock grpc.health.v1 Check", async () => {
    expect(await call(health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    expect(await call(health, "Check", { service: "shopmesh.testing.v1.EchoService" })).toEqual({
      status: "SERVING",
    });
    const unknown = (await call(health, "Check", { service: "no.such.Service" }).catch(
      (e) => e,
    )) as grpc.ServiceError;
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  it("answers UNIMPLEMENTED to a method it does not serve", async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      echo.makeUnaryRequest(
        "/shopmesh.testing.v1.EchoService/Missing",
        (value: Buffer) => value,
        (value: Buffer) => value,
        Buffer.alloc(0),
        (e) => resolve(e),
      );
    });
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("ends a call at the stock client's deadline and cancels the handler", async () => {
    forgetSignal();
    const error = (await call(echo, "Echo", { delayMs: 5_000 }, new grpc.Metadata(), {
      deadline: Date.now() + 100,
    }).catch((e) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await expect.poll(() => lastSignal?.aborted).toBe(true);
  });

  it("aborts the handler's signal when the stock client cancels", async () => {
    forgetSignal();
    const pending = new Promise<grpc.ServiceError>((resolve) => {
      const unary = (echo as unknown as Record<string, Unary>).Echo!.bind(echo);
      const running = unary({ delayMs: 5_000 }, new grpc.Metadata(), {}, (e) => resolve(e!));
      setTimeout(() => running.cancel(), 50);
    });
    expect((await pending).code).toBe(grpc.status.CANCELLED);
    await expect.poll(() => lastSignal?.aborted).toBe(true);
    expect(lastSignal?.reason).toMatchObject({ code: Code.Canceled });
  });
});
