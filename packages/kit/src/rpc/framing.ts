/**
 * gRPC message framing: each message is a 1-byte compressed flag, a 4-byte big-endian length and
 * the protobuf bytes. HTTP/2 DATA frames may split or join messages, so decoding buffers.
 */

/** Frames one uncompressed message. */
export function encodeMessage(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

export interface MessageDecoder {
  /** Adds received bytes; returns the messages they complete. Throws on a malformed stream. */
  push(chunk: Buffer): Uint8Array[];
}

export function createMessageDecoder(maxMessageBytes: number): MessageDecoder {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const messages: Uint8Array[] = [];
      while (pending.length >= 5) {
        if (pending[0] !== 0) {
          // We never advertise grpc-accept-encoding, so a compressed message breaks the protocol.
          throw new Error("received a compressed message that was not negotiated");
        }
        const length = pending.readUInt32BE(1);
        if (length > maxMessageBytes) {
          throw new Error(`response message of ${length} bytes exceeds the limit of ${maxMessageBytes}`);
        }
        if (pending.length < 5 + length) break;
        messages.push(pending.subarray(5, 5 + length));
        pending = pending.subarray(5 + length);
      }
      return messages;
    },
  };
}
