import http2 from "node:http2";
import { create, type DescMethod, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { TokenVerifier } from "../auth/verifier.ts";
import type { Logger } from "../log/index.ts";
import { authorize } from "./access.ts";
import type { RpcContext } from "./context.ts";
import { encodeStatusDetails } from "./errors.ts";
import {
  createMessageDecoder,
  decodeRequestMessage,
  encodeMessage,
  type MessageDecoder,
  PREFIX_BYTES,
  tooLarge,
} from "./framing.ts";
import { parseTimeout } from "./metadata.ts";
import { ServerContext } from "./server-context.ts";
import { errorTrailers, OK_TRAILERS, OK_TRAILERS_ONLY, RESPONSE_HEADERS } from "./status.ts";
import type { AccessRule } from "./types.ts";

/**
 * One incoming call's lifecycle on a node:http2 stream: collect the request message, verify the
 * caller, run the handler, answer with messages and a status, and abort the handler's signal
 * when the client cancels or the deadline passes.
 *
 * This is the server's hot path, so the stream's listeners are module functions that find their
 * call on the stream (`this[CALL]`) instead of closures made per call.
 */

type Handler = (request: unknown, ctx: RpcContext) => Promise<unknown> | AsyncIterable<unknown>;

/** Decoded requests of a client-streaming call held for a handler that has not read them yet. */
const INBOX_HIGH_WATER = 64;

/** One RPC as the server serves it, made once when the service is added. */
export interface Route {
  method: DescMethod;
  handler: Handler;
  rule: AccessRule;
  /** "Service/Method": the metrics label. */
  label: string;
  /** The handler yields responses (server streaming). */
  streaming: boolean;
  /** The handler reads the requests as they arrive (client streaming). */
  clientStreaming: boolean;
}

/** What every call of a server shares. */
export interface CallEnvironment {
  logger: Logger;
  verifier: TokenVerifier | undefined;
  maxMessageBytes: number;
  /** Records a finished call's latency under its route and outcome ("Ok", "InvalidArgument"). */
  observe(label: string, code: string, started: number): void;
}

interface Call {
  readonly stream: CallStream;
  readonly route: Route;
  readonly env: CallEnvironment;
  readonly ctx: ServerContext;
  readonly started: number;
  timer: NodeJS.Timeout | undefined;
  /** The request body: its first chunk, and every chunk once there is more than one. */
  body: Buffer | undefined;
  parts: Buffer[] | undefined;
  received: number;
  /** Set once the call's outcome is decided: nothing else is sent or recorded after it. */
  done: boolean;
  headersSent: boolean;
  /** What the 'wantTrailers' listener sends. */
  trailers: http2.OutgoingHttpHeaders;
  /** Resumes a server stream waiting for 'drain'. */
  wake: (() => void) | undefined;
  /** A client-streaming call's requests, decoded as they arrive. */
  inbox: Inbox | undefined;
}

/**
 * The requests of a client-streaming call between the wire and the handler: decoded message by
 * message, and the stream paused while the handler lags behind so a fast client cannot fill memory.
 */
interface Inbox {
  readonly decoder: MessageDecoder;
  readonly queue: unknown[];
  ended: boolean;
  /** The call ended early (cancelled, deadline): the handler's iteration throws it. */
  failure: ConnectError | undefined;
  /** Resumes a handler waiting for the next request. */
  wake: (() => void) | undefined;
}

const CALL = Symbol("call");
type CallStream = http2.ServerHttp2Stream & { [CALL]?: Call };

const WAIT_FOR_TRAILERS: http2.ServerStreamResponseOptions = Object.freeze({ waitForTrailers: true });
const END_STREAM: http2.ServerStreamResponseOptions = Object.freeze({ endStream: true });
const EMPTY = Buffer.alloc(0);
/** setTimeout's limit; a longer grpc-timeout is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Serves one call of `route` on `stream`. */
export function startCall(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  route: Route,
  env: CallEnvironment,
): void {
  const ctx = new ServerContext(route.method.parent.typeName, route.method.name, headers, env.logger);
  const call: Call = {
    stream,
    route,
    env,
    ctx,
    started: performance.now(),
    timer: undefined,
    body: undefined,
    parts: undefined,
    received: 0,
    done: false,
    headersSent: false,
    trailers: OK_TRAILERS,
    wake: undefined,
    inbox: undefined,
  };
  const callStream = stream as CallStream;
  callStream[CALL] = call;
  stream.on("error", ignore);
  stream.on("close", onClose);
  let timeoutMs: number | undefined;
  try {
    const raw = headers["grpc-timeout"];
    timeoutMs = parseTimeout(typeof raw === "string" ? raw : raw?.[0]);
  } catch (error) {
    endWithStatus(call, error as ConnectError);
    return;
  }
  if (timeoutMs !== undefined) {
    ctx.deadline = new Date(Date.now() + timeoutMs);
    if (timeoutMs <= MAX_TIMER_MS) call.timer = setTimeout(onDeadline, timeoutMs, call);
  }
  if (route.clientStreaming) {
    call.inbox = {
      decoder: createMessageDecoder(env.maxMessageBytes, "request"),
      queue: [],
      ended: false,
      failure: undefined,
      wake: undefined,
    };
    stream.on("data", onStreamData);
    stream.on("end", onStreamEnd);
    void serveClientStream(call);
    return;
  }
  stream.on("data", onData);
  stream.on("end", onEnd);
}

/** Answers a stream that is not a call of ours: wrong method, content type or path. */
export function refuseStream(
  stream: http2.ServerHttp2Stream,
  httpStatus: number,
  code: Code,
  message: string,
): void {
  stream.on("error", ignore);
  if (stream.closed || stream.destroyed) return;
  // Trailers-Only: the status travels in the one HEADERS frame, which also ends the stream.
  stream.respond({ ...RESPONSE_HEADERS, ":status": httpStatus, ...errorTrailers(code, message) }, END_STREAM);
  stopReading(stream);
}

/**
 * After answering a request that is still arriving, RST_STREAM NO_ERROR tells the client to stop
 * sending (PROTOCOL-HTTP2.md, "Early Server Closure"); node sends it once the answer is out.
 */
function stopReading(stream: http2.ServerHttp2Stream): void {
  if (!stream.readableEnded) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}

function onData(this: CallStream, chunk: Buffer): void {
  const call = this[CALL]!;
  if (call.done) return;
  const max = call.env.maxMessageBytes;
  call.received += chunk.length;
  // Refuse an oversized message as soon as its length prefix shows, before buffering it.
  if (call.received > max + PREFIX_BYTES) {
    endWithStatus(call, tooLarge(call.received - PREFIX_BYTES, max));
    return;
  }
  if (call.body === undefined) {
    const length = chunk.length >= PREFIX_BYTES ? chunk.readUInt32BE(1) : 0;
    if (length > max) {
      endWithStatus(call, tooLarge(length, max));
      return;
    }
    call.body = chunk;
  } else if (call.parts === undefined) call.parts = [call.body, chunk];
  else call.parts.push(chunk);
}

function onEnd(this: CallStream): void {
  const call = this[CALL]!;
  if (call.done) return;
  // A unary request is usually one DATA frame: no copy unless it came in pieces.
  const body = call.parts ? Buffer.concat(call.parts, call.received) : (call.body ?? EMPTY);
  call.body = undefined;
  call.parts = undefined;
  let request: unknown;
  try {
    request = fromBinary(call.route.method.input, decodeRequestMessage(body, call.env.maxMessageBytes));
  } catch (error) {
    endWithStatus(
      call,
      error instanceof ConnectError
        ? error
        : new ConnectError(`cannot decode the request: ${error}`, Code.Internal),
    );
    return;
  }
  if (call.route.streaming) void serveStream(call, request);
  else void serveUnary(call, request);
}

/** A client-streaming call's DATA: decoded into the inbox as it arrives. */
function onStreamData(this: CallStream, chunk: Buffer): void {
  const call = this[CALL]!;
  const inbox = call.inbox!;
  if (call.done) return;
  let decoded = 0;
  try {
    for (const bytes of inbox.decoder.push(chunk)) {
      inbox.queue.push(fromBinary(call.route.method.input, bytes));
      decoded++;
    }
  } catch (error) {
    abortWith(call, requestError(error));
    return;
  }
  if (decoded > 0) wakeInbox(inbox);
  if (inbox.queue.length >= INBOX_HIGH_WATER) this.pause();
}

function onStreamEnd(this: CallStream): void {
  const call = this[CALL]!;
  const inbox = call.inbox!;
  if (call.done) return;
  if (inbox.decoder.pendingBytes > 0) {
    abortWith(call, new ConnectError("request ended inside a message", Code.Internal));
    return;
  }
  inbox.ended = true;
  wakeInbox(inbox);
}

/** The handler's view of the inbox: the requests in order, until the client's stream ends. */
async function* readInbox(call: Call): AsyncGenerator<unknown> {
  const inbox = call.inbox!;
  while (true) {
    if (inbox.failure) throw inbox.failure;
    if (inbox.queue.length > 0) {
      const next = inbox.queue.shift();
      if (inbox.queue.length < INBOX_HIGH_WATER / 2 && call.stream.isPaused()) call.stream.resume();
      yield next;
      continue;
    }
    if (inbox.ended) return;
    if (call.stream.isPaused()) call.stream.resume();
    await new Promise<void>((resolve) => {
      inbox.wake = resolve;
    });
  }
}

function wakeInbox(inbox: Inbox): void {
  const resume = inbox.wake;
  inbox.wake = undefined;
  resume?.();
}

/** Ends a call early with `error`: its handler's signal aborts and its request iteration throws. */
function abortWith(call: Call, error: ConnectError): void {
  call.ctx.abort(error);
  if (call.inbox) {
    call.inbox.failure ??= error;
    wakeInbox(call.inbox);
  }
  endWithStatus(call, error);
}

function requestError(error: unknown): ConnectError {
  return error instanceof ConnectError
    ? error
    : new ConnectError(`cannot decode the request: ${error}`, Code.Internal);
}

/** The client reset the stream or the connection went away before the call's outcome. */
function onClose(this: CallStream): void {
  const call = this[CALL]!;
  wake(call);
  if (call.done) return;
  call.done = true;
  clearTimeout(call.timer);
  const error = new ConnectError("cancelled by the client", Code.Canceled);
  call.ctx.abort(error);
  if (call.inbox) {
    call.inbox.failure ??= error;
    wakeInbox(call.inbox);
  }
  call.env.observe(call.route.label, "Canceled", call.started);
}

function onDeadline(call: Call): void {
  if (call.done) return;
  abortWith(call, new ConnectError("deadline exceeded", Code.DeadlineExceeded));
}

function onWantTrailers(this: CallStream): void {
  this.sendTrailers(this[CALL]!.trailers);
}

function onDrain(this: CallStream): void {
  wake(this[CALL]!);
}

function ignore(): void {}

async function serveUnary(call: Call, request: unknown): Promise<void> {
  const { ctx, route } = call;
  try {
    if (ctx.authorization) await authenticate(ctx, call.env.verifier);
    authorize(route.rule, ctx.principal);
    const response = await (route.handler(request, ctx) as Promise<unknown>);
    if (call.done) return;
    // Serialised before settling: a handler's malformed answer still fails the call properly.
    const output = route.method.output;
    const frame = encodeMessage(toBinary(output, create(output, response as never)));
    if (!settle(call)) return;
    sendHeaders(call);
    call.stream.end(frame);
    call.env.observe(route.label, "Ok", call.started);
  } catch (error) {
    fail(call, error);
  }
}

async function serveStream(call: Call, request: unknown): Promise<void> {
  const { ctx, route, stream } = call;
  try {
    if (ctx.authorization) await authenticate(ctx, call.env.verifier);
    authorize(route.rule, ctx.principal);
    const output = route.method.output;
    for await (const message of route.handler(request, ctx) as AsyncIterable<unknown>) {
      if (call.done) break;
      const frame = encodeMessage(toBinary(output, create(output, message as never)));
      if (!call.headersSent) sendHeaders(call);
      // Backpressure: a slow reader pauses the handler instead of growing a buffer.
      if (!stream.write(frame)) await drained(call);
      if (call.done) break;
    }
    if (!settle(call)) return;
    if (call.headersSent) stream.end();
    else stream.respond(OK_TRAILERS_ONLY, END_STREAM);
    call.env.observe(route.label, "Ok", call.started);
  } catch (error) {
    fail(call, error);
  }
}

async function serveClientStream(call: Call): Promise<void> {
  const { ctx, route } = call;
  try {
    if (ctx.authorization) await authenticate(ctx, call.env.verifier);
    authorize(route.rule, ctx.principal);
    const response = await (route.handler(readInbox(call), ctx) as Promise<unknown>);
    if (call.done) return;
    const output = route.method.output;
    const frame = encodeMessage(toBinary(output, create(output, response as never)));
    if (!settle(call)) return;
    sendHeaders(call);
    call.stream.end(frame);
    // Requests the handler did not read are dropped, so the client can finish sending.
    call.stream.resume();
    call.env.observe(route.label, "Ok", call.started);
  } catch (error) {
    fail(call, error);
  }
}

async function authenticate(ctx: ServerContext, verifier: TokenVerifier | undefined): Promise<void> {
  if (!verifier) throw new ConnectError("this server does not accept tokens", Code.Unauthenticated);
  ctx.principal = await verifier.verify(ctx.authorization!.replace(/^Bearer\s+/i, ""));
}

/** Sends the Response-Headers; the trailers follow on 'wantTrailers' once the body has ended. */
function sendHeaders(call: Call): void {
  call.headersSent = true;
  call.stream.respond(RESPONSE_HEADERS, WAIT_FOR_TRAILERS);
  call.stream.on("wantTrailers", onWantTrailers);
}

/**
 * Decides the call's outcome; false when it was already decided or the stream is gone (its
 * 'close' listener is about to record the cancellation).
 */
function settle(call: Call): boolean {
  if (call.done || call.stream.closed || call.stream.destroyed) return false;
  call.done = true;
  clearTimeout(call.timer);
  return true;
}

/** Ends a call with a handler's (or the verifier's) error. */
function fail(call: Call, error: unknown): void {
  if (call.done) return;
  const rpc = ConnectError.from(error);
  const internal = rpc.code === Code.Internal || rpc.code === Code.Unknown;
  if (internal) call.ctx.log.error({ err: error }, "rpc failed");
  else if (rpc.code === Code.Unavailable || rpc.code === Code.DeadlineExceeded) {
    call.ctx.log.warn({ code: Code[rpc.code], message: rpc.rawMessage }, "rpc failed");
  }
  // Internal failures never leak their message (nor details carrying it) to the caller; the log has it.
  endWithStatus(
    call,
    internal ? new ConnectError(`internal error (request ${call.ctx.requestId})`, rpc.code) : rpc,
  );
}

/** Ends a call with a status: in the trailers, or Trailers-Only when nothing was sent yet. */
function endWithStatus(call: Call, error: ConnectError): void {
  if (!settle(call)) return;
  call.env.observe(call.route.label, Code[error.code] ?? "Unknown", call.started);
  const trailers = errorTrailers(error.code, error.rawMessage, encodeStatusDetails(error));
  if (call.headersSent) {
    call.trailers = trailers;
    call.stream.end();
  } else {
    call.stream.respond({ ...RESPONSE_HEADERS, ...trailers }, END_STREAM);
    stopReading(call.stream);
  }
}

function drained(call: Call): Promise<void> {
  return new Promise((resolve) => {
    call.wake = resolve;
    call.stream.once("drain", onDrain);
  });
}

function wake(call: Call): void {
  const resume = call.wake;
  call.wake = undefined;
  resume?.();
}
