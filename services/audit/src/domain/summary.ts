import { type DescMessage, type JsonObject, type JsonValue, type Message, toJson } from "@bufbuild/protobuf";

/**
 * The payload summary of an audit entry: the event in proto JSON, made safe to keep for ever and
 * short enough to list. The audit log is append-only, so nothing that must stay secret or that a
 * person may ask to have erased goes in:
 *
 * - fields named like a secret (token, secret, password, hash, credential, OTP, recovery code,
 *   private key) keep their name with the value "[REDACTED]", so the log still shows one was set;
 * - string values that carry a secret in a URL (`?token=...`) are redacted the same way;
 * - personal data and free text are left out: e-mail addresses, names of people, postal
 *   addresses, phone numbers, IP addresses, user agents, message bodies;
 * - nesting deeper than MAX_DEPTH, lists longer than MAX_ITEMS and texts longer than
 *   MAX_STRING are cut, and a summary still over MAX_BYTES is cut harder.
 *
 * What stays are ids, states, amounts, SKUs, quantities and times: what an auditor follows.
 */

export const REDACTED = "[REDACTED]";

/** Matched against a field name's words joined by "_" ("refreshTokenHash" → "refresh_token_hash"). */
const SECRET_WORDS =
  /(^|_)(tokens?|secrets?|passw(or)?ds?|hash(es)?|credentials?|t?otp|pin|cvc|cvv)(_|$)|private_key|api_key|recovery_codes?/;
const SECRET_IN_VALUE = /[?&#](token|secret|password|code|key)=/i;
/** Exact (proto JSON) names of personal data and free text. */
const PERSONAL_NAMES = new Set([
  "email",
  "displayName",
  "firstName",
  "lastName",
  "fullName",
  "recipient",
  "phone",
  "phoneNumber",
  "ipAddress",
  "userAgent",
  "body",
  "birthDate",
]);
/** Any field ending in "address" ("shippingAddress", "address") holds a postal address. */
const ADDRESS_NAME = /address$/i;

export const MAX_DEPTH = 5;
export const MAX_ITEMS = 20;
export const MAX_STRING = 200;
export const MAX_BYTES = 4096;

interface Limits {
  depth: number;
  items: number;
  string: number;
}

const NORMAL: Limits = { depth: MAX_DEPTH, items: MAX_ITEMS, string: MAX_STRING };
const TIGHT: Limits = { depth: 3, items: 5, string: 64 };

/** The summary of one event body. */
export function summarize(schema: DescMessage, message: Message): JsonObject {
  let json: JsonValue;
  try {
    json = toJson(schema, message) as JsonValue;
  } catch {
    // An event that cannot be written as JSON is still audited: the envelope is the record.
    return { unsummarised: true };
  }
  const object = isObject(json) ? json : { value: json };
  const normal = prune(object, NORMAL, 1) as JsonObject;
  if (byteLength(normal) <= MAX_BYTES) return normal;
  const tight = prune(object, TIGHT, 1) as JsonObject;
  if (byteLength(tight) <= MAX_BYTES) return { ...tight, truncated: true };
  // Still too big (a very wide message): only its top-level scalars.
  const scalars: JsonObject = {};
  for (const [key, value] of Object.entries(tight)) {
    if (!isObject(value) && !Array.isArray(value)) scalars[key] = value;
  }
  return { ...scalars, truncated: true };
}

/** True when a field of this name is a secret: its value is never kept. */
export function isSecretName(name: string): boolean {
  return SECRET_WORDS.test(words(name));
}

/** True when a field of this name holds personal data or free text: it is left out. */
export function isPersonalName(name: string, value: JsonValue): boolean {
  if (PERSONAL_NAMES.has(name)) return true;
  // "ipAddress" is a string, "shippingAddress" an object: both are about a person.
  return ADDRESS_NAME.test(name) && (isObject(value) || typeof value === "string");
}

function prune(value: JsonValue, limits: Limits, depth: number): JsonValue {
  if (typeof value === "string") return cleanString(value, limits.string);
  if (value === null || typeof value !== "object") return value;
  if (depth > limits.depth) return Array.isArray(value) ? `[${value.length} items]` : "{…}";
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.items).map((item) => prune(item, limits, depth + 1));
    if (value.length > limits.items) kept.push(`… ${value.length - limits.items} more`);
    return kept;
  }
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (isSecretName(key)) {
      out[key] = REDACTED;
      continue;
    }
    if (isPersonalName(key, field)) continue;
    out[key] = prune(field, limits, depth + 1);
  }
  return out;
}

/** "refreshTokenHash" → "refresh_token_hash", "password_hash" → "password_hash". */
function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_");
}

function cleanString(value: string, max: number): string {
  if (SECRET_IN_VALUE.test(value)) return REDACTED;
  // PostgreSQL's jsonb cannot hold U+0000.
  const clean = value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function byteLength(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value));
}
