import { createHash } from "node:crypto";
import {
  DomainError,
  type DomainErrorKind,
  type ErrorReasonName,
  type FieldViolation,
  failedPrecondition,
  isDomainError,
} from "@shopmesh/kit/errors";
import { idempotencyKeyReused } from "./errors.ts";

/**
 * Idempotency keys with Stripe's semantics: per (method, key) the first request's fingerprint
 * and its final answer (a response or an error) are kept, written in the same transaction as the
 * effect. The same key with the same request answers that again without a second effect; with a
 * different request it is IDEMPOTENCY_KEY_REUSED. Transient failures (the processor or the
 * database unavailable, a lost race) are not answers: nothing is kept and a retry tries again.
 *
 * Also like Stripe, a key is kept for a limited time: IDEMPOTENCY_RETENTION_HOURS (24 by default)
 * after its first request, then it is pruned in the background (idempotency-pruner.ts). The same
 * key used after that is a new request: it runs again and may have a second effect (a second
 * refund), and a different request with it is no longer IDEMPOTENCY_KEY_REUSED. Only where the
 * provider still remembers its own key (providerIdempotencyKey, derived from ours) and answers
 * with its earlier payment is AuthorizePayment refused (providerPaymentKnown) rather than that
 * payment recorded twice. Callers retry within minutes (the checkout saga's keys are per order
 * and step); the retention must stay longer than any caller's retries.
 */

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Control characters, separators other than the space, unassigned code points... */
const UNPRINTABLE = /[^\P{C}]|[\p{Zl}\p{Zp}]/u;

/** Violations of an idempotency key: 1-255 printable characters. */
export function checkIdempotencyKey(key: string, field = "idempotencyKey"): FieldViolation[] {
  const length = [...key].length;
  if (length === 0) return [{ field, description: "is required" }];
  if (length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return [{ field, description: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` }];
  }
  if (UNPRINTABLE.test(key)) return [{ field, description: "must be printable characters" }];
  return [];
}

/** A request parameter's value as it enters a fingerprint. */
export type FingerprintValue = string | bigint | number | boolean | undefined;

/**
 * The fingerprint of a request: SHA-256 over the method and every parameter except the key, in
 * a canonical order. Only this hash is kept, so secrets in a request (a payment token) are never
 * stored. `undefined` (an unset optional field) differs from every set value.
 *
 * @example
 * requestFingerprint("CapturePayment", { paymentIntentId: id, amountMinor: 500n, currency: "EUR" })
 */
export function requestFingerprint(
  method: string,
  params: Readonly<Record<string, FingerprintValue>>,
): string {
  const entries = Object.keys(params)
    .sort()
    .map((name) => {
      const value = params[name];
      return [name, value === undefined ? null : `${typeof value}:${String(value)}`];
    });
  return createHash("sha256")
    .update(JSON.stringify([method, entries]))
    .digest("hex");
}

/** A final error as it is kept under a key, to be answered again. */
export interface StoredError {
  kind: DomainErrorKind;
  message: string;
  reason?: ErrorReasonName;
  metadata: Record<string, string>;
  violations: FieldViolation[];
}

/** The answer kept under a key: the response message's bytes, or the error. */
export type IdempotentOutcome =
  | { kind: "response"; response: Uint8Array }
  | { kind: "error"; error: StoredError };

/** What is kept per (method, key). */
export interface IdempotencyRecord {
  method: string;
  key: string;
  fingerprint: string;
  outcome: IdempotentOutcome;
  /** The intent the call created or changed, when there is one (for support). */
  paymentIntentId: string | undefined;
  createTime: Date;
}

/** Keys created before this instant are past the retention at `now` and may be pruned. */
export function retentionCutoff(now: Date, retentionHours: number): Date {
  return new Date(now.getTime() - retentionHours * 3_600_000);
}

/**
 * The answer of a repeated request: the kept outcome when the fingerprint is the same;
 * IDEMPOTENCY_KEY_REUSED when the key was used for a different request.
 */
export function replay(record: IdempotencyRecord, fingerprint: string): IdempotentOutcome {
  if (record.fingerprint !== fingerprint) throw idempotencyKeyReused(record.method);
  return record.outcome;
}

/**
 * True when `error` is a final answer to keep under the key: any DomainError except the
 * transient ones (`unavailable`: the processor failed; `conflict`: a lost race).
 */
export function isFinalError(error: unknown): error is DomainError {
  return isDomainError(error) && error.kind !== "unavailable" && error.kind !== "conflict";
}

/** A DomainError as it is kept. */
export function storeError(error: DomainError): StoredError {
  return {
    kind: error.kind,
    message: error.message,
    ...(error.reason ? { reason: error.reason } : {}),
    metadata: { ...error.metadata },
    violations: error.violations.map((v) => ({ field: v.field, description: v.description })),
  };
}

/** The DomainError a kept error answers again: the same kind, message, reason and metadata. */
export function restoreError(stored: StoredError): DomainError {
  return new DomainError(stored.kind, stored.message, {
    ...(stored.reason ? { reason: stored.reason } : {}),
    metadata: stored.metadata,
    violations: stored.violations,
  });
}

/**
 * The provider answered a new AuthorizePayment with a payment that is recorded already: the
 * caller's key was used before, longer ago than payment keeps keys, and the provider still
 * honours it (the sandbox always does), so it returned that earlier payment instead of making a
 * new one. No second intent is made for it.
 * FAILED_PRECONDITION IDEMPOTENCY_KEY_REUSED, kept under the key like any final answer.
 */
export function providerPaymentKnown(provider: string, reference: string): DomainError {
  return failedPrecondition(
    `the provider answered with payment ${reference} of an earlier request with this idempotency key, ` +
      "which is older than payment keeps keys; use a new key for a new request",
    "IDEMPOTENCY_KEY_REUSED",
    { provider, provider_reference: reference },
  );
}

/**
 * The idempotency key payment gives the provider for the provider call of (method, key): stable,
 * so a retry after a crash between the provider's answer and our commit cannot charge twice at a
 * processor that honours keys, and opaque, so the caller's key does not leak to the provider.
 */
export function providerIdempotencyKey(method: string, key: string): string {
  return `shopmesh-${createHash("sha256").update(`${method}\u0000${key}`).digest("hex").slice(0, 40)}`;
}
