import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";

/**
 * What went wrong, independent of transport. The RPC layer maps each kind to one gRPC code:
 *
 * | kind                  | gRPC code           |
 * |-----------------------|---------------------|
 * | `invalid`             | INVALID_ARGUMENT    |
 * | `not_found`           | NOT_FOUND           |
 * | `conflict`            | ABORTED             |
 * | `failed_precondition` | FAILED_PRECONDITION |
 *
 * Any kind may name the request fields it is about (google.rpc.BadRequest on the wire), so an
 * unknown SKU is NOT_FOUND and still points at the `sku` field.
 */
export type DomainErrorKind = "invalid" | "not_found" | "conflict" | "failed_precondition";

/** A bad request field; `field` is the request's proto field path in lowerCamelCase ("cartToken"). */
export interface FieldViolation {
  field: string;
  description: string;
}

export interface DomainErrorOptions {
  /** Lets callers tell apart failures that share a kind (sent as google.rpc.ErrorInfo). */
  reason?: ErrorReason;
  violations?: readonly FieldViolation[];
}

/**
 * The one error type of the cart domain. Domain functions throw it before changing anything, so
 * a caught DomainError never leaves a cart half-updated.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly kind: DomainErrorKind;
  readonly reason: ErrorReason | undefined;
  readonly violations: readonly FieldViolation[];

  constructor(kind: DomainErrorKind, message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.kind = kind;
    this.reason = options.reason;
    this.violations = options.violations ?? [];
  }
}

/** True when `error` is a DomainError (optionally of the given kind). */
export function isDomainError(error: unknown, kind?: DomainErrorKind): error is DomainError {
  return error instanceof DomainError && (kind === undefined || error.kind === kind);
}

/** An `invalid` error listing every bad field; the message joins them for logs. */
export function invalid(violations: readonly FieldViolation[], message?: string): DomainError {
  const text = message ?? violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new DomainError("invalid", text || "invalid argument", { violations });
}

/** Throws an `invalid` error when there is at least one violation. */
export function throwIfInvalid(violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw invalid(violations);
}

/** One violation as an `invalid` error: for a single bad field. */
export function invalidField(field: string, description: string): DomainError {
  return invalid([{ field, description }]);
}

/** NOT_FOUND, naming the request field that pointed at the missing thing when there is one. */
export function notFound(message: string, field?: string): DomainError {
  return new DomainError("not_found", message, {
    ...(field ? { violations: [{ field, description: message }] } : {}),
  });
}

/** FAILED_PRECONDITION (reason INVALID_STATE), naming the request field it is about when there is one. */
export function failedPrecondition(message: string, field?: string): DomainError {
  return new DomainError("failed_precondition", message, {
    reason: ErrorReason.INVALID_STATE,
    ...(field ? { violations: [{ field, description: message }] } : {}),
  });
}

/** ABORTED (reason STALE_VERSION): concurrent changes kept winning; the caller may retry. */
export function conflict(message: string): DomainError {
  return new DomainError("conflict", message, { reason: ErrorReason.STALE_VERSION });
}
