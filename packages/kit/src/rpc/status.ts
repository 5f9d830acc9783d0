import type { OutgoingHttpHeaders } from "node:http2";
import type { Code } from "@connectrpc/connect";
import { STATUS_DETAILS_KEY } from "./errors.ts";

/**
 * The headers a gRPC server answers with (grpc/grpc doc/PROTOCOL-HTTP2.md, "Responses"). The
 * constant ones are frozen and shared by every call: node:http2 copies what it sends.
 */

/** Response-Headers of a call that sends messages. */
export const RESPONSE_HEADERS: OutgoingHttpHeaders = Object.freeze({
  ":status": 200,
  "content-type": "application/grpc+proto",
});

/** Trailers of a call that ended OK. */
export const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ "grpc-status": "0" });

/** Trailers-Only answer of a call that ended OK without a message (an empty server stream). */
export const OK_TRAILERS_ONLY: OutgoingHttpHeaders = Object.freeze({ ...RESPONSE_HEADERS, ...OK_TRAILERS });

/** The trailers of a failed call: its code, message, and google.rpc.Status details when it has any. */
export function errorTrailers(code: Code, message: string, details?: Uint8Array): OutgoingHttpHeaders {
  const trailers: OutgoingHttpHeaders = { "grpc-status": String(code) };
  if (message) trailers["grpc-message"] = encodeGrpcMessage(message);
  // Binary metadata is base64; the spec asks senders to leave out the padding.
  if (details) trailers[STATUS_DETAILS_KEY] = Buffer.from(details).toString("base64").replace(/=+$/, "");
  return trailers;
}

const PLAIN = /^[\x20-\x24\x26-\x7e]*$/;

/**
 * Percent-encodes a status message: printable ASCII except "%" stays as is, every other UTF-8
 * byte becomes %XX (grpc-message's Percent-Encoded rule, stricter than encodeURIComponent).
 */
export function encodeGrpcMessage(message: string): string {
  if (PLAIN.test(message)) return message;
  let encoded = "";
  for (const byte of Buffer.from(message, "utf8")) {
    encoded +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}
