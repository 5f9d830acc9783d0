import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { SecureContextOptions } from "node:tls";
import type { DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Health as HealthService } from "@shopmesh/contracts/grpc/health/v1/health_pb";
import type { TokenVerifier } from "../auth/verifier.ts";
import type { Logger } from "../log/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { methodPath } from "./definition.ts";
import { createHealth, type Health } from "./health.ts";
import { isProtoContentType } from "./metadata.ts";
import { type CallEnvironment, type Route, refuseStream, startCall } from "./server-call.ts";
import type { AccessRule, AccessRules, ServiceHandlers } from "./types.ts";

/** The server's TLS: its certificate and key, and for mutual TLS the CA that signs client certificates. */
export interface RpcServerTls
  extends Required<Pick<SecureContextOptions, "cert" | "key">>,
    Pick<SecureContextOptions, "ca"> {
  /** Require a client certificate signed by `ca` (or the system CAs without one): mutual TLS. */
  requestClientCert?: boolean;
}

export interface RpcServerOptions {
  /** The service's short name ("identity"), for logs. */
  service: string;
  logger: Logger;
  /** Verifies bearer tokens; without it every call is anonymous. */
  verifier?: TokenVerifier;
  metrics?: Metrics;
  /** TLS, or mutual TLS with `ca` + `requestClientCert`; plaintext by default (the mesh adds mTLS). */
  tls?: RpcServerTls;
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

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const SERVER_OPTIONS: http2.ServerOptions = {
  settings: { maxConcurrentStreams: 1000 },
  // MiB of buffered frames per connection before node refuses new streams (default 10).
  maxSessionMemory: 32,
};

/**
 * Creates a gRPC server that serves typed handlers, verifies the caller's token, enforces per-RPC
 * access rules, maps errors to gRPC statuses with rich details, records latency metrics and
 * serves grpc.health.v1.
 *
 * It speaks standard gRPC over node:http2 (so stock gRPC clients, probes and meshes talk to it)
 * rather than through grpc-js: measured here, grpc-js's server spent 115–130 µs of CPU per unary
 * call, most of it in its interceptor stack, and this one ~75 µs (`npm run bench`, rpc-unary).
 *
 *   const server = createRpcServer({ service: "identity", logger, verifier, metrics });
 *   server.add(IdentityService, handlers, rules);
 *   await server.listen(50051);
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const health = createHealth();
  const routes = new Map<string, Route>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const env: CallEnvironment = {
    logger: options.logger,
    verifier: options.verifier,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    observe: createObserver(options.metrics),
  };
  const server = options.tls
    ? http2.createSecureServer({ ...SERVER_OPTIONS, ...tlsOptions(options.tls) })
    : http2.createServer(SERVER_OPTIONS);
  let stopping: Promise<void> | undefined;

  server.on("stream", (stream, headers) => {
    if (headers[":method"] !== "POST") {
      refuseStream(stream, 405, Code.Internal, `gRPC calls are POST, not ${headers[":method"]}`);
      return;
    }
    const contentType = headers["content-type"];
    if (!isProtoContentType(contentType)) {
      // The spec's 415 keeps other HTTP clients from reading an error as a success (200); the
      // status is grpc-go's for the same refusal.
      refuseStream(stream, 415, Code.InvalidArgument, `unsupported content type ${contentType ?? "(none)"}`);
      return;
    }
    const path = headers[":path"] ?? "";
    const route = routes.get(path);
    if (!route) {
      refuseStream(stream, 200, Code.Unimplemented, `unknown method ${path}`);
      return;
    }
    startCall(stream, headers, route, env);
  });
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (stopping) session.close();
  });
  // Node routes session errors (a peer's protocol error, a reset socket) here: each ends its session.
  server.on("sessionError", (error) => options.logger.debug({ err: error }, "http2 session failed"));

  function add<S extends DescService>(service: S, handlers: ServiceHandlers<S>, rules: AccessRules<S>): void {
    // Validate every method before registering any, so a bad service is not half-served.
    const added: Route[] = [];
    for (const method of service.methods) {
      const handler = (handlers as Record<string, unknown>)[method.localName];
      const rule = (rules as Record<string, AccessRule | undefined>)[method.localName];
      if (typeof handler !== "function")
        throw new Error(`${service.typeName}: no handler for ${method.name}`);
      if (rule === undefined) throw new Error(`${service.typeName}: no access rule for ${method.name}`);
      if (method.methodKind === "bidi_streaming") {
        throw new Error(`${service.typeName}/${method.name}: ${method.methodKind} RPCs are not supported`);
      }
      if (routes.has(methodPath(method))) throw new Error(`${service.typeName} is already served`);
      added.push({
        method,
        handler: handler as Route["handler"],
        rule,
        label: `${service.name}/${method.name}`,
        streaming: method.methodKind === "server_streaming",
        clientStreaming: method.methodKind === "client_streaming",
      });
    }
    for (const route of added) routes.set(methodPath(route.method), route);
    health.setStatus(service.typeName, "SERVING");
  }

  add(HealthService, health.handlers, { check: "public", list: "public", watch: "public" });

  return {
    add,
    health,
    listen(port: number, host = "0.0.0.0"): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    shutdown(graceMs = 10_000): Promise<void> {
      stopping ??= new Promise<void>((resolve) => {
        health.shutdown();
        // Resolves once every connection has ended; refuses new connections from now on.
        server.close(() => resolve());
        // GOAWAY: no new calls on open connections, while in-flight ones finish.
        for (const session of sessions) session.close();
        const timer = setTimeout(() => {
          // Cancels what is still running: handlers see their signal abort.
          for (const session of sessions) session.destroy();
        }, graceMs);
        timer.unref();
        server.once("close", () => clearTimeout(timer));
      });
      return stopping;
    },
  };
}

function tlsOptions(tls: RpcServerTls): http2.SecureServerOptions {
  if (!tls.cert) throw new Error("tls.cert is required: the server's certificate (PEM)");
  if (!tls.key) throw new Error("tls.key is required: the server's private key (PEM)");
  const mutual = tls.requestClientCert === true;
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: mutual,
    // With mutual TLS a client without a certificate from `ca` fails the handshake.
    rejectUnauthorized: mutual,
    minVersion: "TLSv1.2",
  };
}

/** Records server latencies; label lookups hash their label set, so one child per (method, code). */
function createObserver(metrics: Metrics | undefined): CallEnvironment["observe"] {
  if (!metrics) return () => {};
  const observers = new Map<string, { observe(value: number): void }>();
  return (method, code, started) => {
    const key = `${method} ${code}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = metrics.rpcServerDuration.labels({ method, code });
      observers.set(key, observer);
    }
    observer.observe((performance.now() - started) / 1000);
  };
}
