import http2 from "node:http2";
import type { SecureContextOptions } from "node:tls";
import { Code, ConnectError } from "@connectrpc/connect";
import { decodeStatusDetails, STATUS_DETAILS_KEY } from "./errors.ts";
import { createMessageDecoder, encodeMessage } from "./framing.ts";

/** TLS settings of a channel: trusted CA, and for mutual TLS the client's certificate and key. */
export interface ChannelTls extends Pick<SecureContextOptions, "ca" | "cert" | "key"> {
  /** Checks the server's certificate against this name instead of the address's host. */
  serverName?: string;
}

export interface ChannelOptions {
  /** host:port. */
  address: string;
  tls?: ChannelTls;
  /** Largest response message accepted. Default 8 MiB. */
  maxMessageBytes?: number;
}

/** One gRPC call on the wire: request bytes out, response messages and final status in. */
export interface CallSpec {
  /** "/package.Service/Method". */
  path: string;
  /** Request headers (custom metadata), already lower-case. */
  headers: Record<string, string>;
  /** The one request message, or (client streaming) the messages to send, written as the peer reads. */
  request: Uint8Array | AsyncIterable<Uint8Array>;
  /** Absolute deadline in ms since the epoch; undefined for none. */
  deadline?: number;
  signal?: AbortSignal;
  /** Called for each response message. */
  onMessage(message: Uint8Array): void;
}

/**
 * A gRPC channel over one HTTP/2 connection (node:http2), reconnected lazily after it closes.
 *
 * The kit's clients talk real gRPC (HTTP/2, application/grpc, length-prefixed messages, status in
 * trailers) without grpc-js's client stack: measured here, grpc-js's client spent ~200 µs of CPU
 * per unary call and capped a client process near 4,000 calls/s, while this path needs a third
 * of that (see `npm run bench`, scenario rpc-unary).
 */
export interface Channel {
  /** Runs a call; resolves when the server ends it with OK, rejects with its status otherwise. */
  call(spec: CallSpec): Promise<void>;
  close(): void;
}

const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export function createChannel(options: ChannelOptions): Channel {
  const authority = `${options.tls ? "https" : "http"}://${options.address}`;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let session: http2.ClientHttp2Session | undefined;
  let closed = false;

  function connection(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const tls = options.tls;
    const connectOptions: http2.SecureClientSessionOptions = tls
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          ...(tls.serverName ? { servername: tls.serverName } : {}),
        }
      : {};
    const created = http2.connect(authority, connectOptions);
    // Errors surface on the calls; a session error only means the next call reconnects.
    created.on("error", () => {});
    created.on("goaway", () => {
      if (session === created) session = undefined;
    });
    created.on("close", () => {
      if (session === created) session = undefined;
    });
    // Idle channels must not keep the process alive.
    created.unref();
    session = created;
    return created;
  }

  return {
    call(spec) {
      if (closed) return Promise.reject(new ConnectError("channel closed", Code.Unavailable));
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        let stream: http2.ClientHttp2Stream;
        const finish = (error?: ConnectError) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          spec.signal?.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve();
        };
        const cancel = (error: ConnectError) => {
          if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
          finish(error);
        };
        const onAbort = () => cancel(new ConnectError("call cancelled", Code.Canceled));

        const headers: http2.OutgoingHttpHeaders = {
          ":method": "POST",
          ":path": spec.path,
          "content-type": "application/grpc+proto",
          te: "trailers",
          ...spec.headers,
        };
        let timer: NodeJS.Timeout | undefined;
        if (spec.deadline !== undefined) {
          const remaining = spec.deadline - Date.now();
          if (remaining <= 0) {
            reject(new ConnectError("deadline exceeded before the call started", Code.DeadlineExceeded));
            return;
          }
          headers["grpc-timeout"] = `${Math.ceil(remaining)}m`;
          timer = setTimeout(
            () => cancel(new ConnectError("deadline exceeded", Code.DeadlineExceeded)),
            remaining,
          );
        }
        try {
          stream = connection().request(headers);
        } catch (error) {
          finish(
            new ConnectError(
              `cannot reach ${options.address}: ${(error as Error).message}`,
              Code.Unavailable,
            ),
          );
          return;
        }
        if (spec.signal) {
          if (spec.signal.aborted) {
            onAbort();
            return;
          }
          spec.signal.addEventListener("abort", onAbort, { once: true });
        }

        let status: Record<string, unknown> | undefined;
        let httpStatus = 0;
        const decoder = createMessageDecoder(maxMessageBytes);
        stream.on("response", (response) => {
          httpStatus = Number(response[":status"]);
          // A "trailers-only" answer carries its status in the response headers.
          if (response["grpc-status"] !== undefined) status = response;
        });
        stream.on("data", (chunk: Buffer) => {
          try {
            for (const message of decoder.push(chunk)) spec.onMessage(message);
          } catch (error) {
            cancel(ConnectError.from(error, Code.Internal));
          }
        });
        stream.on("trailers", (trailers) => {
          status = trailers;
        });
        stream.on("error", (error: Error) => {
          // A server that answered before reading every request resets the stream after its status.
          if (status !== undefined) {
            finish(statusError(status));
            return;
          }
          finish(new ConnectError(`${options.address}: ${error.message}`, Code.Unavailable));
        });
        stream.on("close", () => {
          if (settled) return;
          if (status === undefined) {
            const code =
              stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || httpStatus === 0
                ? Code.Unavailable
                : httpToCode(httpStatus);
            finish(
              new ConnectError(
                `${options.address}: call ended without a gRPC status (HTTP ${httpStatus || "none"})`,
                code,
              ),
            );
            return;
          }
          finish(statusError(status));
        });
        if (spec.request instanceof Uint8Array) stream.end(encodeMessage(spec.request));
        else {
          sendAll(stream, spec.request, () => settled).catch((error: unknown) =>
            cancel(ConnectError.from(error)),
          );
        }
      });
    },
    close() {
      closed = true;
      session?.close();
    },
  };
}

/**
 * Writes every message of a client stream, waiting for 'drain' whenever the peer falls behind,
 * then ends the stream. Stops early once the call is over (the server answered or it failed).
 */
async function sendAll(
  stream: http2.ClientHttp2Stream,
  requests: AsyncIterable<Uint8Array>,
  over: () => boolean,
): Promise<void> {
  for await (const message of requests) {
    if (over() || stream.closed || stream.destroyed) return;
    if (!stream.write(encodeMessage(message))) await drained(stream);
  }
  if (!over() && !stream.closed && !stream.destroyed) stream.end();
}

/** Resolves on 'drain', or once the stream closes (then nothing more is written). */
function drained(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/** undefined for OK; otherwise the call's error with its code, message and details. */
function statusError(status: Record<string, unknown>): ConnectError | undefined {
  const code = Number(status["grpc-status"]);
  if (code === 0) return undefined;
  const raw = status["grpc-message"];
  const message = typeof raw === "string" ? decodeGrpcMessage(raw) : "";
  const error = new ConnectError(
    message,
    Number.isInteger(code) && code > 0 && code <= 16 ? code : Code.Unknown,
  );
  const details = status[STATUS_DETAILS_KEY];
  if (typeof details === "string") error.details = decodeStatusDetails(Buffer.from(details, "base64"));
  return error;
}

function decodeGrpcMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The gRPC spec's mapping for HTTP answers that carry no gRPC status (a proxy's error page). */
function httpToCode(status: number): Code {
  switch (status) {
    case 400:
      return Code.Internal;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.Unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}
