import type { IncomingHttpHeaders } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reading gRPC request headers: custom metadata, the deadline and the content type
 * (grpc/grpc doc/PROTOCOL-HTTP2.md, "Requests").
 */

/** A text metadata value: the first one when repeated, undefined when absent or empty. */
export function metadataText(headers: IncomingHttpHeaders, key: string): string | undefined {
  const value = headers[key];
  const first = typeof value === "string" ? value : value?.[0];
  return first === undefined || first.length === 0 ? undefined : first;
}

const TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/**
 * The `grpc-timeout` header in milliseconds (at most 8 digits and a unit: H M S m u n); undefined
 * when absent. A malformed value is INTERNAL, as grpc-js and grpc-go answer it.
 */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = TIMEOUT.exec(value);
  if (!match) throw new ConnectError(`invalid grpc-timeout "${value}"`, Code.Internal);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/**
 * Whether a request carries protobuf messages: application/grpc or application/grpc+proto,
 * parameters allowed. Other gRPC codecs (+json) are refused like non-gRPC content.
 */
export function isProtoContentType(value: string | undefined): boolean {
  if (value === "application/grpc" || value === "application/grpc+proto") return true;
  if (value === undefined) return false;
  const type = value.split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/grpc" || type === "application/grpc+proto";
}
