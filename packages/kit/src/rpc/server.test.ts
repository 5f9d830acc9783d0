import http2 from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "@shopmesh/contracts/grpc/health/v1/health_pb";
import {
  EchoRequestSchema,
  EchoResponseSchema,
  EchoService,
  EchoStreamRequestSchema,
} from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../log/index.ts";
import { createMetrics } from "../metrics/index.ts";
import { createRpcClient } from "./client.ts";
import { createMessageDecoder, encodeMessage } from "./framing.ts";
import { createRpcServer, type RpcServer } from "./server.ts";
import type { ServiceHandlers } from "./types.ts";

const logger = createLogger({ service: "test", level: "silent" });
const ECHO = "/shopmesh.testing.v1.EchoService/Echo";
const ECHO_STREAM = "/shopmesh.testing.v1.EchoService/EchoStream";

/** What the handlers saw of their last call, for assertions on the server side. */
const seen = {
  signal: undefined as AbortSignal | undefined,
  deadline: undefined as Date | undefined,
  streamEnded: Promise.withResolvers<void>(),
  yielded: 0,
};

const handlers: ServiceHandlers<typeof EchoService> = {
  async echo(request, ctx) {
    seen.deadline = ctx.deadline;
    if (request.delayMs) {
      seen.signal = ctx.signal;
      await sleep(request.delayMs, undefined, { signal: ctx.signal }).catch(() => {});
    }
    return { message: request.message, requestId: ctx.requestId };
  },
  async echoOnce(request) {
    return { message: request.message };
  },
  async *echoStream(request, ctx) {
    seen.signal = ctx.signal;
    seen.yielded = 0;
    try {
      for (let index = 0; index < request.count; index++) {
        if (request.delayMs) await sleep(request.delayMs);
        seen.yielded++;
        yield { message: request.message, index };
      }
    } finally {
      seen.streamEnded.resolve();
    }
  },
  async echoCollect(requests) {
    let count = 0;
    for await (const _ of requests) count++;
    return { count };
  },
};

/** Not an assignment in the test itself, so TypeScript does not narrow `seen.signal` to undefined. */
function forgetSignal(): void {
  seen.signal = undefined;
}

interface RawAnswer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  messages: Uint8Array[];
  /** grpc-status from the trailers, or from the headers of a Trailers-Only answer. */
  grpcStatus: number | undefined;
  grpcMessage: string | undefined;
}

interface RawCall {
  path?: string;
  headers?: http2.OutgoingHttpHeaders;
  /** Written one by one, `gapMs` apart, then the request ends (unless `end` is false). */
  chunks?: Buffer[];
  gapMs?: number;
  end?: boolean;
  /** Called with the client stream once it is open (to cancel it, pause it...). */
  onStream?(stream: http2.ClientHttp2Stream): void;
}

let session: http2.ClientHttp2Session;

/** A gRPC call made by hand on a bare node:http2 client, to see exactly what the server sends. */
function rawCall(call: RawCall): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": call.path ?? ECHO,
      "content-type": "application/grpc",
      te: "trailers",
      ...call.headers,
    });
    const answer: RawAnswer = {
      status: 0,
      headers: {},
      trailers: undefined,
      messages: [],
      grpcStatus: undefined,
      grpcMessage: undefined,
    };
    const decoder = createMessageDecoder(64 * 1024 * 1024);
    const status = (headers: http2.IncomingHttpHeaders) => {
      if (headers["grpc-status"] === undefined) return;
      answer.grpcStatus = Number(headers["grpc-status"]);
      answer.grpcMessage = decodeURIComponent(String(headers["grpc-message"] ?? ""));
    };
    stream.on("response", (headers) => {
      answer.status = Number(headers[":status"]);
      answer.headers = headers;
      status(headers);
    });
    stream.on("data", (chunk: Buffer) => answer.messages.push(...decoder.push(chunk)));
    stream.on("trailers", (trailers) => {
      answer.trailers = trailers;
      status(trailers);
    });
    stream.on("error", reject);
    stream.on("close", () => resolve(answer));
    call.onStream?.(stream);
    void (async () => {
      for (const [index, chunk] of (call.chunks ?? []).entries()) {
        if (index > 0 && call.gapMs) await sleep(call.gapMs);
        if (!stream.closed) stream.write(chunk);
      }
      if (call.end !== false && !stream.closed) stream.end();
    })();
  });
}

function echoRequest(init: { message?: string; delayMs?: number }): Buffer {
  return encodeMessage(toBinary(EchoRequestSchema, create(EchoRequestSchema, init)));
}

let server: RpcServer;
let address: string;
const metrics = createMetrics({ service: "test" });

beforeAll(async () => {
  server = createRpcServer({ service: "echo", logger, metrics });
  server.add(EchoService, handlers, {
    echo: "public",
    echoOnce: "public",
    echoStream: "public",
    echoCollect: "public",
  });
  address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  session = http2.connect(`http://${address}`);
});

afterAll(async () => {
  session.close();
  await server.shutdown(100);
});

describe("createRpcServer on the wire", () => {
  it("answers with HTTP 200, application/grpc+proto, one message and grpc-status 0 in trailers", async () => {
    const answer = await rawCall({ chunks: [echoRequest({ message: "hi" })] });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/grpc+proto");
    expect(answer.headers["grpc-status"]).toBeUndefined();
    expect(answer.trailers?.["grpc-status"]).toBe("0");
    expect(answer.messages).toHaveLength(1);
    expect(fromBinary(EchoResponseSchema, answer.messages[0]!).message).toBe("hi");
  });

  it("answers keepalive PINGs and allows 1,000 concurrent calls per connection", async () => {
    const rtt = await new Promise<number>((resolve, reject) =>
      session.ping((error, duration) => (error ? reject(error) : resolve(duration))),
    );
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(1000);
  });

  it("answers an unknown method with UNIMPLEMENTED, trailers-only", async () => {
    const answer = await rawCall({
      path: "/shopmesh.testing.v1.EchoService/Nope",
      chunks: [echoRequest({})],
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["grpc-status"]).toBe(String(Code.Unimplemented));
    expect(answer.grpcMessage).toContain("/shopmesh.testing.v1.EchoService/Nope");
    expect(answer.trailers).toBeUndefined();
  });

  it("refuses a non-gRPC content type with HTTP 415 and other methods than POST with 405", async () => {
    const json = await rawCall({
      headers: { "content-type": "application/json" },
      chunks: [Buffer.from("{}")],
    });
    expect(json.status).toBe(415);
    expect(json.grpcStatus).toBe(Code.InvalidArgument);
    expect(json.grpcMessage).toContain("application/json");

    const get = await rawCall({ headers: { ":method": "GET" }, end: true });
    expect(get.status).toBe(405);
  });

  it("reassembles a request message split across DATA frames", async () => {
    const message = "x".repeat(100_000);
    const frame = echoRequest({ message });
    const answer = await rawCall({
      chunks: [frame.subarray(0, 3), frame.subarray(3, 40_000), frame.subarray(40_000)],
      gapMs: 20,
    });
    expect(answer.grpcStatus).toBe(0);
    expect(fromBinary(EchoResponseSchema, answer.messages[0]!).message).toBe(message);
  });

  it("answers RESOURCE_EXHAUSTED to a message over 8 MiB as soon as its length shows", async () => {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(9 * 1024 * 1024, 1);
    // The client never sends the body nor ends the request: the answer must not wait for it.
    const answer = await rawCall({ chunks: [prefix, Buffer.alloc(1024)], end: false });
    expect(answer.grpcStatus).toBe(Code.ResourceExhausted);
    expect(answer.grpcMessage).toMatch(/exceeds the limit of 8388608/);

    const client = createRpcClient(EchoService, { address });
    const error = (await client
      .echo({ message: "y".repeat(9 * 1024 * 1024) })
      .catch((e) => e)) as ConnectError;
    expect(error.code).toBe(Code.ResourceExhausted);
    client.close();
  });

  it("refuses compressed, missing, repeated and truncated request messages", async () => {
    const compressed = echoRequest({ message: "z" });
    compressed[0] = 1;
    expect((await rawCall({ chunks: [compressed] })).grpcStatus).toBe(Code.Unimplemented);
    expect((await rawCall({ chunks: [] })).grpcStatus).toBe(Code.Unimplemented);
    const one = echoRequest({ message: "one" });
    expect((await rawCall({ chunks: [one, one] })).grpcStatus).toBe(Code.Unimplemented);
    expect((await rawCall({ chunks: [one.subarray(0, one.length - 1)] })).grpcStatus).toBe(Code.Internal);
  });

  it("ends a call at its grpc-timeout with DEADLINE_EXCEEDED and aborts the handler's signal", async () => {
    const started = Date.now();
    const answer = await rawCall({
      headers: { "grpc-timeout": "100m" },
      chunks: [echoRequest({ delayMs: 5_000 })],
    });
    expect(answer.grpcStatus).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toMatchObject({ code: Code.DeadlineExceeded });
    expect(seen.deadline!.getTime()).toBeGreaterThanOrEqual(started + 100);

    const bad = await rawCall({ headers: { "grpc-timeout": "soon" }, chunks: [echoRequest({})] });
    expect(bad.grpcStatus).toBe(Code.Internal);
    expect(bad.grpcMessage).toContain("grpc-timeout");
  });

  it("aborts the handler's signal when the client cancels the call", async () => {
    forgetSignal();
    await rawCall({
      chunks: [echoRequest({ delayMs: 5_000 })],
      onStream: (stream) => setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 50),
    });
    await expect.poll(() => seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toMatchObject({ code: Code.Canceled });
  });

  it("stops a server stream when the client goes away", async () => {
    seen.streamEnded = Promise.withResolvers<void>();
    const client = createRpcClient(EchoService, { address });
    const received: number[] = [];
    for await (const message of client.echoStream({ message: "s", count: 1_000_000, delayMs: 5 })) {
      received.push(message.index);
      if (received.length === 3) break;
    }
    expect(received).toEqual([0, 1, 2]);
    await seen.streamEnded.promise;
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.yielded).toBeLessThan(1_000);
    client.close();
  });

  it("pauses a server stream the client does not read, then delivers every message", async () => {
    const count = 5_000;
    const request = encodeMessage(
      toBinary(
        EchoStreamRequestSchema,
        create(EchoStreamRequestSchema, { message: "m".repeat(1024), count }),
      ),
    );
    let stream: http2.ClientHttp2Stream | undefined;
    const answer = rawCall({
      path: ECHO_STREAM,
      chunks: [request],
      onStream: (opened) => {
        stream = opened;
        opened.pause();
      },
    });
    await sleep(300);
    // HTTP/2 flow control lets ~64 KiB through; without backpressure all 5 MiB would be made by now.
    expect(seen.yielded).toBeGreaterThan(0);
    expect(seen.yielded).toBeLessThan(1_000);
    stream!.resume();
    const { messages, grpcStatus } = await answer;
    expect(grpcStatus).toBe(0);
    expect(messages).toHaveLength(count);
  });

  it("streams grpc.health.v1 Watch updates and stops watching when the client cancels", async () => {
    const health = createRpcClient(Health, { address });
    const service = "shopmesh.testing.v1.WatchedService";
    server.health.setStatus(service, "SERVING");
    const statuses: HealthCheckResponse_ServingStatus[] = [];
    for await (const update of health.watch({ service })) {
      statuses.push(update.status);
      if (statuses.length === 1) server.health.setStatus(service, "NOT_SERVING");
      else break;
    }
    expect(statuses).toEqual([
      HealthCheckResponse_ServingStatus.SERVING,
      HealthCheckResponse_ServingStatus.NOT_SERVING,
    ]);
    await expect
      .poll(() => metrics.registry.metrics())
      .toMatch(/rpc_server_duration_seconds_count\{[^}]*method="Health\/Watch"[^}]*code="Canceled"/);
    health.close();
  });
});

describe("createRpcServer shutdown", () => {
  it("cancels calls still running when the grace period ends", async () => {
    const own = createRpcServer({ service: "echo", logger });
    own.add(EchoService, handlers, {
      echo: "public",
      echoOnce: "public",
      echoStream: "public",
      echoCollect: "public",
    });
    const ownAddress = `127.0.0.1:${await own.listen(0, "127.0.0.1")}`;
    const client = createRpcClient(EchoService, { address: ownAddress, maxAttempts: 1 });
    forgetSignal();
    const slow = client.echo({ message: "slow", delayMs: 10_000 }).catch((e: ConnectError) => e);
    await expect.poll(() => seen.signal).toBeDefined();
    const started = Date.now();
    await own.shutdown(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen.signal?.aborted).toBe(true);
    expect(((await slow) as ConnectError).code).toBe(Code.Unavailable);
    client.close();
  });

  it("refuses a service it cannot serve without registering any of it", () => {
    const own = createRpcServer({ service: "echo", logger });
    const partial = { echo: handlers.echo } as unknown as ServiceHandlers<typeof EchoService>;
    expect(() =>
      own.add(EchoService, partial, {
        echo: "public",
        echoOnce: "public",
        echoStream: "public",
        echoCollect: "public",
      }),
    ).toThrow(/no handler for EchoOnce/);
    own.add(EchoService, handlers, {
      echo: "public",
      echoOnce: "public",
      echoStream: "public",
      echoCollect: "public",
    });
    expect(() =>
      own.add(EchoService, handlers, {
        echo: "public",
        echoOnce: "public",
        echoStream: "public",
        echoCollect: "public",
      }),
    ).toThrow(/already served/);
  });

  it("names the missing TLS field", () => {
    expect(() => createRpcServer({ service: "echo", logger, tls: { cert: "", key: "k" } })).toThrow(
      /tls\.cert/,
    );
    expect(() => createRpcServer({ service: "echo", logger, tls: { cert: "c", key: "" } })).toThrow(
      /tls\.key/,
    );
  });
});
