import type { DescMessage } from "@bufbuild/protobuf";

/**
 * Names on the wire (ARCHITECTURE.md section 6, proto/shopmesh/common/v1/events.proto): one stream
 * per publishing context, one subject per event. The prefix ("shopmesh" in production, EVENTS_PREFIX)
 * lets tests and parallel environments share one NATS server without seeing each other.
 */

export const DEFAULT_PREFIX = "shopmesh";

const TOKEN = /^[a-z][a-z0-9_]*$/;
const DURABLE = /^[A-Za-z0-9_-]+$/;

/** Throws naming `field` unless `value` is a lower-case subject token (prefix, context). */
export function checkToken(value: unknown, field: string): string {
  if (typeof value !== "string" || !TOKEN.test(value)) {
    throw new Error(`${field}: must be lower case letters, digits and _, starting with a letter`);
  }
  return value;
}

/** Throws naming `field` unless `value` is a context name (a token other than "dlq"). */
export function checkContext(value: unknown, field = "context"): string {
  checkToken(value, field);
  if (value === "dlq") throw new Error(`${field}: "dlq" is reserved for dead letters`);
  return value as string;
}

/** Throws naming `field` unless `value` can be a durable consumer name and a subject token. */
export function checkDurable(value: unknown, field = "durable"): string {
  if (typeof value !== "string" || !DURABLE.test(value)) {
    throw new Error(`${field}: must be letters, digits, _ and -`);
  }
  return value;
}

/** "UserRegistered" → "user_registered", "HTTPRequestFailed" → "http_request_failed". */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `SHOPMESH_IDENTITY`: the stream of one context. */
export function streamName(prefix: string, context: string): string {
  return `${prefix.toUpperCase()}_${context.toUpperCase()}`;
}

/** `shopmesh.identity.>`: every subject of one context's stream. */
export function contextSubjects(prefix: string, context: string): string {
  return `${prefix}.${context}.>`;
}

/** `shopmesh.identity.user_registered` for `shopmesh.identity.v1.UserRegistered`. */
export function eventSubject(prefix: string, context: string, schema: DescMessage): string {
  return `${prefix}.${context}.${snakeCase(schema.name)}`;
}

/** `SHOPMESH_DLQ`: dead letters of every consumer. */
export function deadLetterStreamName(prefix: string): string {
  return `${prefix.toUpperCase()}_DLQ`;
}

/** `shopmesh.dlq.<durable>`: where one consumer's dead letters go. */
export function deadLetterSubject(prefix: string, durable: string): string {
  return `${prefix}.dlq.${durable}`;
}
