import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type AuditEntrySchema,
  ChainBreak,
  type VerifyAuditLogResponseSchema,
} from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import type { AuditEntry, Verification } from "../domain/chain.ts";

/** Domain → proto mapping of audit's responses. */

export function entryMessage(entry: AuditEntry): MessageInitShape<typeof AuditEntrySchema> {
  return {
    sequence: BigInt(entry.sequence),
    eventId: entry.eventId,
    eventType: entry.eventType,
    context: entry.context,
    actor: entry.actor,
    subject: entry.subject,
    eventTime: timestampFromDate(entry.eventTime),
    correlationId: entry.correlationId,
    causationId: entry.causationId,
    payloadSummary: entry.payloadSummary,
    recordTime: timestampFromDate(entry.recordTime),
    previousHash: entry.previousHash,
    hash: entry.hash,
  };
}

const BREAK_KINDS = {
  hash_mismatch: ChainBreak.HASH_MISMATCH,
  link_mismatch: ChainBreak.LINK_MISMATCH,
  sequence_gap: ChainBreak.SEQUENCE_GAP,
  head_mismatch: ChainBreak.HEAD_MISMATCH,
} as const;

export function verificationMessage(
  result: Verification,
): MessageInitShape<typeof VerifyAuditLogResponseSchema> {
  const broken = result.firstBreak;
  return {
    valid: result.valid,
    entriesChecked: BigInt(result.entriesChecked),
    firstBrokenSequence: BigInt(broken?.sequence ?? 0),
    breakKind: broken ? BREAK_KINDS[broken.kind] : ChainBreak.UNSPECIFIED,
    detail: broken?.detail ?? `all ${result.entriesChecked} entries check out`,
    headSequence: BigInt(result.head.sequence),
    headHash: result.head.hash,
  };
}
