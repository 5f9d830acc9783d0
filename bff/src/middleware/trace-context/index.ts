import { randomFillSync } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/** This request's place in a W3C trace. */
export interface TraceContext {
  /** 32 hex digits, shared by every hop of the trace. */
  traceId: string;
  /** 16 hex digits: the BFF's own span, the parent of the calls it makes. */
  spanId: string;
  /** The caller's span, when the request came with a valid traceparent. */
  parentSpanId?: string;
  sampled: boolean;
  /** The traceparent to send on outgoing calls (this span as parent). */
  traceparent: string;
  /** The caller's tracestate, passed on unchanged. */
  tracestate?: string;
}

declare module "hono" {
  interface ContextVariableMap {
    trace: TraceContext;
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * Random ids from a pooled buffer, refilled 4 KiB at a time: a randomBytes call per id (two per
 * request) cost a system call each (randomUUID pools the same way).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString("hex", poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/**
 * Parses a W3C `traceparent` header (Trace Context level 1): version ff, all-zero ids and, for
 * version 00, trailing fields make it invalid. Later versions may append fields, which are ignored.
 */
export function parseTraceparent(
  header: string | undefined,
): { traceId: string; parentSpanId: string; sampled: boolean } | undefined {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export interface TraceContextOptions {
  /** Whether a trace the BFF starts itself is flagged sampled. Default true. */
  sampleNew?: boolean;
}

/**
 * Continues the caller's trace when it sent a valid `traceparent` (else starts one) and opens the
 * BFF's own span: `c.get("trace").traceparent` is what goes on gRPC calls, and `traceId` is on
 * every log line of the request.
 */
export function traceContext(options: TraceContextOptions = {}): MiddlewareHandler {
  const sampleNew = options.sampleNew ?? true;
  return async function traceContext(c, next) {
    const parent = parseTraceparent(c.req.header("traceparent"));
    const traceId = parent?.traceId ?? randomHex(16);
    const spanId = randomHex(8);
    const sampled = parent?.sampled ?? sampleNew;
    const trace: TraceContext = {
      traceId,
      spanId,
      sampled,
      traceparent: `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`,
    };
    if (parent) {
      trace.parentSpanId = parent.parentSpanId;
      const tracestate = c.req.header("tracestate");
      if (tracestate) trace.tracestate = tracestate;
    }
    c.set("trace", trace);
    await next();
  };
}
