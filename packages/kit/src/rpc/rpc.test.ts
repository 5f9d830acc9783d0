import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { EchoService } from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceToken } from "../auth/service-token.ts";
import { createTokenVerifier } from "../auth/verifier.ts";
import { createLogger } from "../log/index.ts";
import { createMetrics } from "../metrics/index.ts";
import { createHealthClient } from "./health-client.ts";
import {
  createRpcClient,
  createRpcServer,
  errorReason,
  fieldViolations,
  invalidArgument,
  type RpcServer,
  rpcError,
  type ServiceHandlers,
} from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });
const SERVICE_SECRET = "test-service-secret-0123456789";

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let publicJwk: JWK;

async function accessToken(claims: { sub: string; roles: string[] }, key = privateKey, kid = "k1") {
  return new SignJWT({ roles: claims.roles, sid: "session-1" })
    .setProtectedHeader({ alg: "EdDSA", kid })
    .setSubject(claims.sub)
    .setIssuer("shopmesh-identity")
    .setAudience("shopmesh")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);
}

let attempts = 0;
const handlers: ServiceHandlers<typeof EchoService> = {
  async echo(request, ctx) {
    attempts++;
    if (request.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, request.delayMs));
    }
    if (request.failCode === Code.InvalidArgument) {
      throw invalidArgument([{ field: "message", description: "must not be empty" }]);
    }
    if (request.failCode === Code.Unauthenticated) {
      throw rpcError(Code.Unauthenticated, "code needed", ErrorReason.MFA_REQUIRED);
    }
    if (request.failCode === Code.Unavailable && attempts < 3) {
      throw new ConnectError("try again", Code.Unavailable);
    }
    if (request.failCode === Code.Internal) throw new Error("database password is hunter2");
    return {
      message: request.message,
      requestId: ctx.requestId,
      traceparent: ctx.traceparent ?? "",
      userId: ctx.principal?.kind === "user" ? ctx.principal.userId : (ctx.principal?.service ?? ""),
    };
  },
  async echoOnce(request) {
    attempts++;
    if (request.message === "upstream") {
      throw rpcError(Code.Unavailable, "the processor is down", ErrorReason.UPSTREAM_UNAVAILABLE);
    }
    throw new ConnectError(`not now: ${request.message}`, Code.Unavailable);
  },
  async *echoStream(request) {
    for (let index = 0; index < request.count; index++) {
      if (request.delayMs) await new Promise((resolve) => setTimeout(resolve, request.delayMs));
      yield { message: request.message, index };
    }
  },
  async echoCollect(requests) {
    let count = 0;
    for await (const _ of requests) count++;
    return { count };
  },
};

let server: RpcServer;
let address: string;
const metrics = createMetrics({ service: "test" });

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "EdDSA" };
  const verifier = createTokenVerifier({ keys: async () => [publicJwk], serviceSecret: SERVICE_SECRET });
  server = createRpcServer({ service: "echo", logger, verifier, metrics });
  server.add(EchoService, handlers, {
    echo: "public",
    echoOnce: { permission: "users.read" },
    echoStream: "authenticated",
    echoCollect: "public",
  });
  address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
});

afterAll(async () => {
  await server.shutdown(100);
});

describe("rpc over real gRPC", () => {
  it("round-trips a call and propagates request id, traceparent and the caller", async () => {
    const client = createRpcClient(EchoService, { address });
    const token = await accessToken({ sub: "user-42", roles: ["customer"] });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const response = await client.echo(
      { message: "hi" },
      { call: { requestId: "req-1", traceparent, authorization: `Bearer ${token}` } },
    );
    expect(response).toMatchObject({ message: "hi", requestId: "req-1", traceparent, userId: "user-42" });
    client.close();
  });

  it("makes a request id when the caller sends none", async () => {
    const client = createRpcClient(EchoService, { address });
    const response = await client.echo({ message: "x" });
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    client.close();
  });

  it("carries field violations and error reasons to the client", async () => {
    const client = createRpcClient(EchoService, { address });
    const invalid = await client.echo({ failCode: Code.InvalidArgument }).catch((e: ConnectError) => e);
    expect(invalid).toBeInstanceOf(ConnectError);
    expect((invalid as ConnectError).code).toBe(Code.InvalidArgument);
    expect(fieldViolations(invalid as ConnectError)).toEqual([
      { field: "message", description: "must not be empty" },
    ]);

    const mfa = (await client.echo({ failCode: Code.Unauthenticated }).catch((e) => e)) as ConnectError;
    expect(mfa.code).toBe(Code.Unauthenticated);
    expect(errorReason(mfa)).toBe("MFA_REQUIRED");
    client.close();
  });

  it("hides the message of internal errors from the caller", async () => {
    const client = createRpcClient(EchoService, { address });
    const error = (await client.echo({ failCode: Code.Internal }).catch((e) => e)) as ConnectError;
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).not.toContain("hunter2");
    expect(error.rawMessage).toContain("internal error");
    client.close();
  });

  it("enforces access rules: anonymous, wrong permission, service principal", async () => {
    const client = createRpcClient(EchoService, { address });
    const anonymous = (await client.echoOnce({ message: "a" }).catch((e) => e)) as ConnectError;
    expect(anonymous.code).toBe(Code.Unauthenticated);

    const customer = await accessToken({ sub: "u1", roles: ["customer"] });
    const denied = (await client
      .echoOnce({ message: "a" }, { call: { authorization: `Bearer ${customer}` } })
      .catch((e) => e)) as ConnectError;
    expect(denied.code).toBe(Code.PermissionDenied);

    const support = await accessToken({ sub: "u2", roles: ["support"] });
    const allowed = (await client
      .echoOnce({ message: "a" }, { call: { authorization: `Bearer ${support}` } })
      .catch((e) => e)) as ConnectError;
    expect(allowed.code).toBe(Code.Unavailable); // got past the rule into the handler

    const serviceClient = createRpcClient(EchoService, {
      address,
      serviceToken: createServiceToken({ service: "order", secret: SERVICE_SECRET }),
    });
    expect((await serviceClient.echo({ message: "s" })).userId).toBe("order");
    serviceClient.close();
    client.close();
  });

  it("rejects a token signed by another key and a garbage token", async () => {
    const client = createRpcClient(EchoService, { address });
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await accessToken({ sub: "u1", roles: ["admin"] }, other.privateKey);
    for (const token of [forged, "not-a-jwt"]) {
      const error = (await client
        .echo({ message: "x" }, { call: { authorization: `Bearer ${token}` } })
        .catch((e) => e)) as ConnectError;
      expect(error.code).toBe(Code.Unauthenticated);
      expect(errorReason(error)).toBe("TOKEN_INVALID");
    }
    client.close();
  });

  it("ends a call at its deadline with DEADLINE_EXCEEDED", async () => {
    const client = createRpcClient(EchoService, { address });
    const error = (await client.echo({ delayMs: 500 }, { timeoutMs: 50 }).catch((e) => e)) as ConnectError;
    expect(error.code).toBe(Code.DeadlineExceeded);
    client.close();
  });

  it("cancels a call when its signal aborts", async () => {
    const client = createRpcClient(EchoService, { address });
    const controller = new AbortController();
    const call = client.echo({ delayMs: 1_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = (await call.catch((e) => e)) as ConnectError;
    expect(error.code).toBe(Code.Canceled);
    client.close();
  });

  it("retries idempotent calls on UNAVAILABLE but never non-idempotent ones", async () => {
    const client = createRpcClient(EchoService, { address, maxAttempts: 3 });
    attempts = 0;
    const response = await client.echo({ message: "third time", failCode: Code.Unavailable });
    expect(response.message).toBe("third time");
    expect(attempts).toBe(3);

    const support = await accessToken({ sub: "u2", roles: ["support"] });
    attempts = 0;
    await client
      .echoOnce({ message: "once" }, { call: { authorization: `Bearer ${support}` } })
      .catch(() => {});
    expect(attempts).toBe(1);
    client.close();
  });

  it("opens the circuit after repeated failures to reach a dead service", async () => {
    const client = createRpcClient(EchoService, {
      address: "127.0.0.1:1",
      maxAttempts: 1,
      breakerThreshold: 2,
      timeoutMs: 500,
    });
    for (let i = 0; i < 2; i++) {
      const error = (await client.echo({ message: "x" }).catch((e) => e)) as ConnectError;
      expect(error.code).toBe(Code.Unavailable);
    }
    const open = (await client.echo({ message: "x" }).catch((e) => e)) as ConnectError;
    expect(open.code).toBe(Code.Unavailable);
    expect(open.rawMessage).toContain("circuit open");
    client.close();
  });

  it("keeps the circuit closed for a service that answers that something behind it is down", async () => {
    const client = createRpcClient(EchoService, { address, breakerThreshold: 2 });
    const support = {
      call: { authorization: `Bearer ${await accessToken({ sub: "u3", roles: ["support"] })}` },
    };
    attempts = 0;
    for (let i = 0; i < 4; i++) {
      const error = (await client.echoOnce({ message: "upstream" }, support).catch((e) => e)) as ConnectError;
      expect(errorReason(error)).toBe("UPSTREAM_UNAVAILABLE");
    }
    expect(attempts).toBe(4); // every call reached the service
    // while the service's own UNAVAILABLE answers do open it
    for (let i = 0; i < 2; i++) await client.echoOnce({ message: "down" }, support).catch(() => undefined);
    const open = (await client.echoOnce({ message: "down" }, support).catch((e) => e)) as ConnectError;
    expect(open.rawMessage).toContain("circuit open");
    client.close();
  });

  it("streams server responses", async () => {
    const client = createRpcClient(EchoService, { address });
    const token = await accessToken({ sub: "u1", roles: ["customer"] });
    const received: number[] = [];
    for await (const message of client.echoStream(
      { message: "s", count: 3 },
      { call: { authorization: `Bearer ${token}` } },
    )) {
      received.push(message.index);
    }
    expect(received).toEqual([0, 1, 2]);
    client.close();
  });

  it("serves grpc.health.v1 and records RPC latency metrics", async () => {
    const health = createHealthClient(address);
    expect(await health.check()).toBe("SERVING");
    expect(await health.check("shopmesh.testing.v1.EchoService")).toBe("SERVING");
    expect(await health.check("no.such.Service")).toBe("UNREACHABLE");
    health.close();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/rpc_server_duration_seconds_count\{[^}]*method="EchoService\/Echo"[^}]*code="Ok"/);
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight calls, then refuses new ones", async () => {
    const own = createRpcServer({ service: "echo", logger });
    own.add(EchoService, handlers, {
      echo: "public",
      echoOnce: "public",
      echoStream: "public",
      echoCollect: "public",
    });
    const ownAddress = `127.0.0.1:${await own.listen(0, "127.0.0.1")}`;
    const client = createRpcClient(EchoService, { address: ownAddress, maxAttempts: 1 });
    await client.echo({ message: "warm" });
    const slow = client.echo({ message: "slow", delayMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = own.shutdown(5_000);
    expect((await slow).message).toBe("slow");
    await stopped;
    const after = (await client.echo({ message: "late" }).catch((e) => e)) as ConnectError;
    expect(after.code).toBe(Code.Unavailable);
    client.close();
  });
});
