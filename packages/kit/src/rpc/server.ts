import { randomUUID } from "node:crypto";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { Health as HealthService } from "@shopmesh/contracts/grpc/health/v1/health_pb";
import type { TokenVerifier } from "../auth/verifier.ts";
import type { Logger } from "../log/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { authorize } from "./access.ts";
import { METADATA, type RpcContext } from "./context.ts";
import { serviceDefinition } from "./definition.ts";
import { encodeStatusDetails, STATUS_DETAILS_KEY } from "./errors.ts";
import { createHealth, type Health } from "./health.ts";
import type { AccessRule, AccessRules, ServiceHandlers } from "./types.ts";

export interface RpcServerOptions {
  /** The service's short name ("identity"), for logs. */
  service: string;
  logger: Logger;
  /** Verifies bearer tokens; without it every call is anonymous. */
  verifier?: TokenVerifier;
  metrics?: Metrics;
  /** TLS credentials; plaintext by default (the mesh adds mTLS). */
  credentials?: grpc.ServerCredentials;
}

export interface RpcServer {
  /** Registers a service's handlers and the access rule of each RPC. */
  add<S extends DescService>(service: S, handlers: ServiceHandlers<S>, rules: AccessRules<S>): void;
  /** grpc.health.v1 statuses; "" is the whole server. */
  health: Health;
  /** Starts listening; resolves with the bound port (pass 0 for a random one). */
  listen(port: number, host?: string): Promise<number>;
  /** Marks the server NOT_SERVING, stops accepting calls and waits for in-flight ones (up to graceMs). */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Creates a gRPC server (grpc-js on the wire, protobuf-es messages) that serves typed handlers,
 * verifies the caller's token, enforces per-RPC access rules, maps errors to gRPC statuses with
 * rich details, records latency metrics and serves grpc.health.v1.
 *
 *   const server = createRpcServer({ service: "identity", logger, verifier, metrics });
 *   server.add(IdentityService, handlers, rules);
 *   await server.listen(50051);
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const server = new grpc.Server({
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.max_receive_message_length": 8 * 1024 * 1024,
  });
  const health = createHealth();

  function add<S extends DescService>(service: S, handlers: ServiceHandlers<S>, rules: AccessRules<S>): void {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const handler = (handlers as Record<string, unknown>)[method.localName];
      const rule = (rules as Record<string, AccessRule | undefined>)[method.localName];
      if (typeof handler !== "function")
        throw new Error(`${service.typeName}: no handler for ${method.name}`);
      if (rule === undefined) throw new Error(`${service.typeName}: no access rule for ${method.name}`);
      implementation[method.localName] = wrap(method, handler as Handler, rule);
    }
    server.addService(serviceDefinition(service), implementation);
    health.setStatus(service.typeName, "SERVING");
  }

  type Handler = (request: unknown, ctx: RpcContext) => Promise<unknown> | AsyncIterable<unknown>;

  function wrap(method: DescMethod, handler: Handler, rule: AccessRule) {
    const label = `${method.parent.name}/${method.name}`;
    if (method.methodKind === "unary") {
      return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const started = performance.now();
        const ctx = contextOf(method, call);
        run(ctx, rule, () => handler(call.request, ctx) as Promise<unknown>)
          .then((response) => {
            observe(label, "Ok", started);
            callback(null, response);
          })
          .catch((error: unknown) => {
            const status = toServiceError(error, ctx);
            observe(label, Code[status.code ?? 2] ?? "Unknown", started);
            callback(status);
          });
      };
    }
    if (method.methodKind === "server_streaming") {
      return (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const started = performance.now();
        const ctx = contextOf(method, call);
        run(ctx, rule, async () => {
          for await (const message of handler(call.request, ctx) as AsyncIterable<unknown>) {
            if (ctx.signal.aborted) break;
            if (!call.write(message)) await new Promise((resolve) => call.once("drain", resolve));
          }
        })
          .then(() => {
            observe(label, "Ok", started);
            call.end();
          })
          .catch((error: unknown) => {
            const status = toServiceError(error, ctx);
            observe(label, Code[status.code ?? 2] ?? "Unknown", started);
            call.destroy(Object.assign(new Error(status.details), status));
          });
      };
    }
    throw new Error(`${method.parent.typeName}/${method.name}: ${method.methodKind} RPCs are not supported`);
  }

  function contextOf(
    method: DescMethod,
    call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  ) {
    // The abort signal is made only when a handler asks for it: most calls never do.
    let controller: AbortController | undefined;
    let cancelled = false;
    call.once("cancelled", () => {
      cancelled = true;
      controller?.abort(new ConnectError("cancelled by the client", Code.Canceled));
    });
    const md = call.metadata;
    // Request ids need uniqueness, not time order: randomUUID draws from a pooled buffer.
    const requestId = text(md, METADATA.requestId) ?? randomUUID();
    const traceparent = text(md, METADATA.traceparent);
    const deadlineValue = call.getDeadline();
    const deadline =
      deadlineValue instanceof Date
        ? deadlineValue
        : Number.isFinite(deadlineValue)
          ? new Date(deadlineValue as number)
          : undefined;
    let log: Logger | undefined;
    const ctx: RpcContext = {
      service: method.parent.typeName,
      method: method.name,
      requestId,
      traceparent,
      authorization: text(md, METADATA.authorization),
      clientIp: text(md, METADATA.clientIp),
      userAgent: text(md, METADATA.userAgent),
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (cancelled) controller.abort(new ConnectError("cancelled by the client", Code.Canceled));
        }
        return controller.signal;
      },
      deadline,
      // A child logger costs an allocation per call: made only when a handler logs.
      get log() {
        log ??= options.logger.child({
          requestId,
          traceId: traceparent?.split("-")[1],
          userId: ctx.principal?.kind === "user" ? ctx.principal.userId : undefined,
          rpc: method.name,
        });
        return log;
      },
    };
    return ctx;
  }

  async function run<T>(ctx: RpcContext, rule: AccessRule, body: () => Promise<T>): Promise<T> {
    if (ctx.authorization) {
      if (!options.verifier)
        throw new ConnectError("this server does not accept tokens", Code.Unauthenticated);
      const token = ctx.authorization.replace(/^Bearer\s+/i, "");
      ctx.principal = await options.verifier.verify(token);
    }
    authorize(rule, ctx.principal);
    return body();
  }

  function toServiceError(error: unknown, ctx: RpcContext): Partial<grpc.StatusObject> {
    const rpc = ConnectError.from(error);
    const internal = rpc.code === Code.Internal || rpc.code === Code.Unknown;
    if (internal) ctx.log.error({ err: error }, "rpc failed");
    else if (rpc.code === Code.Unavailable || rpc.code === Code.DeadlineExceeded) {
      ctx.log.warn({ code: Code[rpc.code], message: rpc.rawMessage }, "rpc failed");
    }
    const metadata = new grpc.Metadata();
    const details = encodeStatusDetails(rpc);
    if (details) metadata.set(STATUS_DETAILS_KEY, Buffer.from(details));
    return {
      code: rpc.code as number as grpc.status,
      // Internal failures never leak their message to the caller; the log has it.
      details: internal ? `internal error (request ${ctx.requestId})` : rpc.rawMessage,
      metadata,
    };
  }

  // Label lookups hash their label set on every call: keep one child per (method, code).
  const observers = new Map<string, { observe(value: number): void }>();
  function observe(method: string, code: string, started: number): void {
    if (!options.metrics) return;
    const key = `${method} ${code}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = options.metrics.rpcServerDuration.labels({ method, code });
      observers.set(key, observer);
    }
    observer.observe((performance.now() - started) / 1000);
  }

  add(HealthService, health.handlers, { check: "public", list: "public", watch: "public" });

  return {
    add,
    health,
    listen(port: number, host = "0.0.0.0"): Promise<number> {
      return new Promise((resolve, reject) => {
        server.bindAsync(
          `${host}:${port}`,
          options.credentials ?? grpc.ServerCredentials.createInsecure(),
          (error, bound) => (error ? reject(error) : resolve(bound)),
        );
      });
    },
    async shutdown(graceMs = 10_000): Promise<void> {
      health.shutdown();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // Cancels what is still running: handlers see their signal abort.
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function text(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
