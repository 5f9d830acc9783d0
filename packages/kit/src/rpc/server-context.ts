import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../log/index.ts";
import { METADATA, type RpcContext } from "./context.ts";
import { metadataText } from "./metadata.ts";

/**
 * The RpcContext of one incoming call, read from its request headers.
 *
 * A class so that `signal` and `log` are getters on a shared prototype: most calls never read
 * them, and an object literal would allocate both getters as closures on every call.
 */
export class ServerContext implements RpcContext {
  readonly service: string;
  readonly method: string;
  readonly requestId: string;
  readonly traceparent: string | undefined;
  principal: Principal | undefined = undefined;
  readonly authorization: string | undefined;
  readonly clientIp: string | undefined;
  readonly userAgent: string | undefined;
  deadline: Date | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #abortReason: ConnectError | undefined = undefined;
  #log: Logger | undefined = undefined;
  readonly #logger: Logger;

  constructor(service: string, method: string, headers: IncomingHttpHeaders, logger: Logger) {
    this.service = service;
    this.method = method;
    // Request ids need uniqueness, not time order: randomUUID draws from a pooled buffer.
    this.requestId = metadataText(headers, METADATA.requestId) ?? randomUUID();
    this.traceparent = metadataText(headers, METADATA.traceparent);
    this.authorization = metadataText(headers, METADATA.authorization);
    this.clientIp = metadataText(headers, METADATA.clientIp);
    this.userAgent = metadataText(headers, METADATA.userAgent);
    this.#logger = logger;
  }

  /** Made when a handler first asks for it; already aborted if the call ended before that. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** A child logger costs an allocation per call: made only when a handler logs. */
  get log(): Logger {
    this.#log ??= this.#logger.child({
      requestId: this.requestId,
      traceId: this.traceparent?.split("-")[1],
      userId: this.principal?.kind === "user" ? this.principal.userId : undefined,
      rpc: this.method,
    });
    return this.#log;
  }

  /** The call ended early (cancelled by the client, deadline passed): the handler should stop. */
  abort(reason: ConnectError): void {
    if (this.#abortReason) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }
}
