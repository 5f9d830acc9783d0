import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/**
 * The hash chain of the audit log. Entry n stores previous_hash = hash of entry n-1 (GENESIS_HASH
 * for entry 1) and
 *
 *   hash = hex(SHA-256(previous_hash + "\n" + canonical(entry)))
 *
 * where canonical(entry) is the JSON array of CHAIN_VERSION and every stored field in a fixed
 * order, times as RFC 3339 with milliseconds and the payload summary with its object keys sorted.
 * Changing any field of any entry changes its hash; re-hashing it breaks the link of the next.
 */

/** The previous_hash of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** Names the encoding, so a future encoding can be told apart. */
export const CHAIN_VERSION = "shopmesh.audit.v1";

/** The fields of an entry the hash covers. */
export interface ChainedFields {
  sequence: number;
  eventId: string;
  eventType: string;
  context: string;
  actor: string;
  subject: string;
  eventTime: Date;
  correlationId: string;
  causationId: string;
  payloadSummary: JsonObject;
  recordTime: Date;
}

/** An entry as stored: its fields, its link and its hash. */
export interface AuditEntry extends ChainedFields {
  previousHash: string;
  hash: string;
}

/** The one-row head of the chain: the last sequence and its hash (sequence 0 when empty). */
export interface ChainHead {
  sequence: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { sequence: 0, hash: GENESIS_HASH };

/** The hash of an entry with these fields following an entry with hash `previousHash`. */
export function entryHash(previousHash: string, fields: ChainedFields): string {
  return createHash("sha256")
    .update(`${previousHash}\n${canonicalEntry(fields)}`)
    .digest("hex");
}

/** The entry that follows `head`: the next sequence, linked and hashed. */
export function chainEntry(head: ChainHead, fields: Omit<ChainedFields, "sequence">): AuditEntry {
  const chained: ChainedFields = { ...fields, sequence: head.sequence + 1 };
  return { ...chained, previousHash: head.hash, hash: entryHash(head.hash, chained) };
}

/** The canonical text of an entry's fields. */
export function canonicalEntry(fields: ChainedFields): string {
  return canonicalJson([
    CHAIN_VERSION,
    String(fields.sequence),
    fields.eventId,
    fields.eventType,
    fields.context,
    fields.actor,
    fields.subject,
    fields.eventTime.toISOString(),
    fields.correlationId,
    fields.causationId,
    fields.payloadSummary,
    fields.recordTime.toISOString(),
  ]);
}

/**
 * JSON with object keys in code-point order and no whitespace, so the same value always gives
 * the same text (PostgreSQL's jsonb does not keep key order).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(",")}}`;
}

/** Where and why the chain does not check out. */
export interface ChainBreak {
  sequence: number;
  kind: "hash_mismatch" | "link_mismatch" | "sequence_gap" | "head_mismatch";
  detail: string;
}

/** The outcome of a verification. */
export interface Verification {
  valid: boolean;
  entriesChecked: number;
  firstBreak?: ChainBreak;
  head: ChainHead;
}

/**
 * Checks entries in sequence order, one batch at a time, then the head:
 *
 *   const verifier = createChainVerifier();
 *   for (const batch of batches) if (verifier.check(batch)) break;
 *   const result = verifier.finish(head);
 */
export interface ChainVerifier {
  /** Checks the next entries; returns the first break (and ignores anything after it). */
  check(entries: readonly AuditEntry[]): ChainBreak | undefined;
  /** The result, comparing the last entry with the stored head. */
  finish(head: ChainHead): Verification;
}

export function createChainVerifier(): ChainVerifier {
  let previous: ChainHead = EMPTY_HEAD;
  let checked = 0;
  let broken: ChainBreak | undefined;

  return {
    check(entries) {
      if (broken) return broken;
      for (const entry of entries) {
        checked++;
        broken = checkEntry(previous, entry);
        if (broken) return broken;
        previous = { sequence: entry.sequence, hash: entry.hash };
      }
      return undefined;
    },
    finish(head) {
      if (!broken && (head.sequence !== previous.sequence || head.hash !== previous.hash)) {
        broken = {
          sequence: Math.min(head.sequence, previous.sequence) + 1,
          kind: "head_mismatch",
          detail:
            `the chain head is sequence ${head.sequence} but the entries end at ` +
            `sequence ${previous.sequence}${head.sequence === previous.sequence ? " with another hash" : ""}`,
        };
      }
      return { valid: !broken, entriesChecked: checked, ...(broken ? { firstBreak: broken } : {}), head };
    },
  };
}

function checkEntry(previous: ChainHead, entry: AuditEntry): ChainBreak | undefined {
  const expected = previous.sequence + 1;
  if (entry.sequence !== expected) {
    return {
      sequence: expected,
      kind: "sequence_gap",
      detail: `sequence ${expected} is missing (the next entry is ${entry.sequence})`,
    };
  }
  if (entry.previousHash !== previous.hash) {
    return {
      sequence: entry.sequence,
      kind: "link_mismatch",
      detail: `entry ${entry.sequence} does not link to the hash of entry ${previous.sequence}`,
    };
  }
  if (entryHash(entry.previousHash, entry) !== entry.hash) {
    return {
      sequence: entry.sequence,
      kind: "hash_mismatch",
      detail: `the fields of entry ${entry.sequence} do not give its hash: it was changed`,
    };
  }
  return undefined;
}
