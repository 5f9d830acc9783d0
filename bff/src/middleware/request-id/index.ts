import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { setResponseHeader } from "../static-headers/index.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The id of this request: the caller's X-Request-Id when sane, else a new UUIDv7. */
    requestId: string;
  }
}

export interface RequestIdOptions {
  /** Default "X-Request-Id". */
  headerName?: string;
  /** Longest incoming id accepted. Default 128. */
  maxLength?: number;
  /** Makes a new id. Default UUIDv7 (sorts by time, like every shopmesh id). */
  generate?: () => string;
}

/** Ids travel into logs and gRPC metadata, so only plain printable tokens are taken from outside. */
const SANE = /^[A-Za-z0-9._:@/+=-]+$/;

/**
 * Gives every request an id, `c.get("requestId")`, echoed in the response header so a client can
 * quote it. An incoming id is kept (so a trace through a proxy keeps one id) when it is short and
 * made of token characters; anything else is replaced, never trusted into logs.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler {
  const headerName = options.headerName ?? "X-Request-Id";
  const maxLength = options.maxLength ?? 128;
  // Unique is all a request id needs; randomUUID draws from a pooled buffer, unlike a UUIDv7.
  const generate = options.generate ?? randomUUID;
  return async function requestId(c, next) {
    const incoming = c.req.header(headerName);
    const id = incoming && incoming.length <= maxLength && SANE.test(incoming) ? incoming : generate();
    c.set("requestId", id);
    // Set before the handler runs, the header joins the response as it is built (on Node's
    // response directly, see static-headers): setting it afterwards would copy the response.
    setResponseHeader(c, headerName, id);
    await next();
  };
}
