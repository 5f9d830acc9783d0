import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  fromBinary,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from "cockatiel";
import type { Logger } from "../log/index.ts";
import type { Metrics } from "../metrics/index.ts";
import { type ChannelTls, createChannel } from "./channel.ts";
import { type CallContext, type CallOptions, METADATA } from "./context.ts";
import { methodPath } from "./definition.ts";
import { errorReason } from "./errors.ts";
import type { RpcClient } from "./types.ts";

export interface RpcClientOptions {
  /** host:port of the service. */
  address: string;
  /** Default deadline of every call. Default 5,000 ms. */
  timeoutMs?: number;
  /** Attempts for idempotent calls that fail UNAVAILABLE. Default 3. */
  maxAttempts?: number;
  /** Consecutive UNAVAILABLE/DEADLINE_EXCEEDED failures that open the circuit. Default 5. */
  breakerThreshold?: number;
  /** How long an open circuit fails fast before letting one call through. Default 5,000 ms. */
  breakerHalfOpenAfterMs?: number;
  /** Adds the caller's service token to calls that carry no user token. */
  serviceToken?: () => Promise<string>;
  /** TLS (and mutual TLS with cert + key); plaintext by default. */
  tls?: ChannelTls;
  logger?: Logger;
  metrics?: Metrics;
}

const IDEMPOTENT = new Set([
  MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
  MethodOptions_IdempotencyLevel.IDEMPOTENT,
]);

/**
 * Creates a typed gRPC client for a service (HTTP/2 gRPC via node:http2, protobuf-es messages).
 * Every call has a deadline; calls forward x-request-id, traceparent and authorization from
 * `options.call`. Methods marked idempotent in the proto (`idempotency_level`) are retried on
 * UNAVAILABLE with exponential backoff and jitter; a circuit breaker makes calls fail fast
 * (UNAVAILABLE) while the service is down. Errors are RpcErrors with the server's code, message
 * and details.
 *
 *   const identity = createRpcClient(IdentityService, { address: "127.0.0.1:50051" });
 *   const { user } = await identity.getProfile({}, { call: { authorization: `Bearer ${token}` } });
 */
export function createRpcClient<S extends DescService>(service: S, options: RpcClientOptions): RpcClient<S> {
  const channel = createChannel({ address: options.address, tls: options.tls });
  const timeoutMs = options.timeoutMs ?? 5_000;
  const breaker = circuitBreaker(
    handleWhen((error) => isDown(error)),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs ?? 5_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    },
  );
  const retrying = wrap(
    retry(
      handleWhen((error) => error instanceof ConnectError && error.code === Code.Unavailable),
      {
        maxAttempts: (options.maxAttempts ?? 3) - 1,
        backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 400 }),
      },
    ),
    breaker,
  );

  const methods: Record<string, unknown> = { close: () => channel.close() };
  for (const method of service.methods) {
    const policy: IPolicy = IDEMPOTENT.has(method.idempotency) ? retrying : breaker;
    if (method.methodKind === "unary") methods[method.localName] = unary(method, policy);
    else if (method.methodKind === "server_streaming") methods[method.localName] = serverStream(method);
    else if (method.methodKind === "client_streaming") methods[method.localName] = clientStream(method);
  }
  return methods as RpcClient<S>;

  function unary(method: DescMethod, policy: IPolicy) {
    const path = methodPath(method);
    const label = `${method.parent.name}/${method.name}`;
    return async (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}) => {
      const deadline = Date.now() + (callOptions.timeoutMs ?? timeoutMs);
      const pending = headersOf(callOptions.call);
      // Synchronous unless a service token has to be minted: saves a microtask per call.
      const headers = pending instanceof Promise ? await pending : pending;
      const bytes = toBinary(method.input, create(method.input, request));
      const started = performance.now();
      try {
        const response = await policy.execute(async () => {
          let answer: Uint8Array | undefined;
          await channel.call({
            path,
            headers,
            request: bytes,
            deadline,
            signal: callOptions.signal,
            onMessage: (message) => {
              answer = message;
            },
          });
          if (answer === undefined)
            throw new ConnectError("the server sent no response message", Code.Internal);
          return fromBinary(method.output, answer);
        });
        observe(label, "Ok", started);
        return response;
      } catch (error) {
        const rpc =
          error instanceof BrokenCircuitError
            ? new ConnectError(`${service.typeName} is unavailable (circuit open)`, Code.Unavailable)
            : ConnectError.from(error);
        observe(label, Code[rpc.code] ?? "Unknown", started);
        throw rpc;
      }
    };
  }

  /**
   * Client streaming: the requests are serialised as the iterable yields them and written with
   * backpressure. Never retried (an iterable cannot be replayed); the circuit breaker applies.
   */
  function clientStream(method: DescMethod) {
    const path = methodPath(method);
    const label = `${method.parent.name}/${method.name}`;
    return async (
      requests: AsyncIterable<MessageInitShape<DescMessage>> | Iterable<MessageInitShape<DescMessage>>,
      callOptions: CallOptions = {},
    ) => {
      const deadline = Date.now() + (callOptions.timeoutMs ?? timeoutMs);
      const headers = await headersOf(callOptions.call);
      const started = performance.now();
      try {
        const response = await breaker.execute(async () => {
          let answer: Uint8Array | undefined;
          await channel.call({
            path,
            headers,
            request: encodeAll(method.input, requests),
            deadline,
            signal: callOptions.signal,
            onMessage: (message) => {
              answer = message;
            },
          });
          if (answer === undefined)
            throw new ConnectError("the server sent no response message", Code.Internal);
          return fromBinary(method.output, answer);
        });
        observe(label, "Ok", started);
        return response;
      } catch (error) {
        const rpc =
          error instanceof BrokenCircuitError
            ? new ConnectError(`${service.typeName} is unavailable (circuit open)`, Code.Unavailable)
            : ConnectError.from(error);
        observe(label, Code[rpc.code] ?? "Unknown", started);
        throw rpc;
      }
    };
  }

  function serverStream(method: DescMethod) {
    const path = methodPath(method);
    return (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}) => ({
      async *[Symbol.asyncIterator]() {
        const headers = await headersOf(callOptions.call);
        const queue: Uint8Array[] = [];
        let wake: (() => void) | undefined;
        let ended = false;
        let failure: unknown;
        const controller = new AbortController();
        const forward = () => controller.abort();
        callOptions.signal?.addEventListener("abort", forward, { once: true });
        channel
          .call({
            path,
            headers,
            request: toBinary(method.input, create(method.input, request)),
            deadline: callOptions.timeoutMs === undefined ? undefined : Date.now() + callOptions.timeoutMs,
            signal: controller.signal,
            onMessage: (message) => {
              queue.push(message);
              wake?.();
            },
          })
          .catch((error: unknown) => {
            failure = error;
          })
          .finally(() => {
            ended = true;
            wake?.();
          });
        try {
          while (true) {
            const next = queue.shift();
            if (next) {
              yield fromBinary(method.output, next);
              continue;
            }
            if (ended) break;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
          if (failure) throw ConnectError.from(failure);
        } finally {
          // Leaving the loop early (break, throw) cancels the call.
          controller.abort();
          callOptions.signal?.removeEventListener("abort", forward);
        }
      },
    });
  }

  function headersOf(
    call: CallContext | undefined,
  ): Record<string, string> | Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (call?.requestId) headers[METADATA.requestId] = call.requestId;
    if (call?.traceparent) headers[METADATA.traceparent] = call.traceparent;
    if (call?.clientIp) headers[METADATA.clientIp] = call.clientIp;
    if (call?.userAgent) headers[METADATA.userAgent] = call.userAgent;
    if (call?.authorization) headers[METADATA.authorization] = call.authorization;
    else if (options.serviceToken) {
      return options.serviceToken().then((token) => {
        headers[METADATA.authorization] = `Bearer ${token}`;
        return headers;
      });
    }
    return headers;
  }

  // Label lookups hash their label set on every call: keep one child per (method, code).
  function observe(method: string, code: string, started: number): void {
    if (!options.metrics) return;
    const key = `${method} ${code}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = options.metrics.rpcClientDuration.labels({ method, code });
      observers.set(key, observer);
    }
    observer.observe((performance.now() - started) / 1000);
  }
}

async function* encodeAll(
  schema: DescMessage,
  requests: AsyncIterable<MessageInitShape<DescMessage>> | Iterable<MessageInitShape<DescMessage>>,
): AsyncGenerator<Uint8Array> {
  for await (const request of requests) yield toBinary(schema, create(schema, request));
}

const observers = new Map<string, { observe(value: number): void }>();

function isDown(error: unknown): boolean {
  return (
    error instanceof ConnectError &&
    (error.code === Code.Unavailable || error.code === Code.DeadlineExceeded) &&
    // The service answered: what is down is behind it (a payment processor), not the service.
    errorReason(error) !== "UPSTREAM_UNAVAILABLE"
  );
}
