import { Code, ConnectError } from "@connectrpc/connect";

/**
 * gRPC message framing: each message is a 1-byte compressed flag, a 4-byte big-endian length and
 * the protobuf bytes. HTTP/2 DATA frames may split or join messages, so decoding buffers.
 */

/** Bytes before each message: the compressed flag and the length. */
export const PREFIX_BYTES = 5;

/** Frames one uncompressed message. */
export function encodeMessage(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, PREFIX_BYTES);
  return frame;
}

export interface MessageDecoder {
  /** Adds received bytes; returns the messages they complete. Throws on a malformed stream. */
  push(chunk: Buffer): Uint8Array[];

  /** Bytes of a message that has started but not completed. */
  readonly pendingBytes: number;
}

/**
 * Decodes a stream of messages, none compressed: responses on the client's side, and the requests
 * of client-streaming calls on the server's (`side: "request"`, with the server's error codes).
 */
export function createMessageDecoder(
  maxMessageBytes: number,
  side: "request" | "response" = "response",
): MessageDecoder {
  let pending: Buffer = Buffer.alloc(0);
  return {
    get pendingBytes() {
      return pending.length;
    },
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const messages: Uint8Array[] = [];
      while (pending.length >= PREFIX_BYTES) {
        if (pending[0] !== 0) {
          if (side === "request") {
            throw new ConnectError("compressed request messages are not supported", Code.Unimplemented);
          }
          // We never advertise grpc-accept-encoding, so a compressed message breaks the protocol.
          throw new ConnectError("received a compressed message that was not negotiated", Code.Internal);
        }
        const length = pending.readUInt32BE(1);
        if (length > maxMessageBytes) {
          if (side === "request") throw tooLarge(length, maxMessageBytes);
          throw new ConnectError(
            `response message of ${length} bytes exceeds the limit of ${maxMessageBytes}`,
            Code.ResourceExhausted,
          );
        }
        if (pending.length < PREFIX_BYTES + length) break;
        messages.push(pending.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
        pending = pending.subarray(PREFIX_BYTES + length);
      }
      return messages;
    },
  };
}

/**
 * The one message of a whole request body (the server's side of unary and server-streaming
 * calls, which carry exactly one). The codes are grpc-js's for the same faults, so stock clients
 * see what they would from a grpc-js server.
 */
export function decodeRequestMessage(body: Buffer, maxMessageBytes: number): Uint8Array {
  if (body.length === 0) throw new ConnectError("received no request message", Code.Unimplemented);
  if (body.length < PREFIX_BYTES) throw new ConnectError("request ended inside a message", Code.Internal);
  if (body[0] !== 0) {
    // The spec's answer to a compression the server does not support (we support none).
    throw new ConnectError("compressed request messages are not supported", Code.Unimplemented);
  }
  const length = body.readUInt32BE(1);
  if (length > maxMessageBytes) throw tooLarge(length, maxMessageBytes);
  const end = PREFIX_BYTES + length;
  if (body.length < end) throw new ConnectError("request ended inside a message", Code.Internal);
  if (body.length > end) throw new ConnectError("received more than one request message", Code.Unimplemented);
  return body.subarray(PREFIX_BYTES, end);
}

/** RESOURCE_EXHAUSTED for a request message over the limit. */
export function tooLarge(length: number, maxMessageBytes: number): ConnectError {
  return new ConnectError(
    `request message of ${length} bytes exceeds the limit of ${maxMessageBytes}`,
    Code.ResourceExhausted,
  );
}
