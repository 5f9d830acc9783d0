import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";

/**
 * What went wrong, independent of transport. The RPC layer maps each kind to one gRPC code:
 *
 * | kind                  | gRPC code           |
 * |-----------------------|---------------------|
 * | `invalid`             | INVALID_ARGUMENT    |
 * | `not_found`           | NOT_FOUND           |
 * | `already_exists`      | ALREADY_EXISTS      |
 * | `conflict`            | ABORTED             |
 * | `permission_denied`   | PERMISSION_DENIED   |
 * | `failed_precondition` | FAILED_PRECONDITION |
 */
export type DomainErrorKind =
  | "invalid"
  | "not_found"
  | "already_exists"
  | "conflict"
  | "permission_denied"
  | "failed_precondition";

/** A bad request field; `field` is the request's proto field path in lowerCamelCase ("product.variants[0].sku"). */
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
 * The one error type of the catalog domain. Domain functions throw it before changing anything,
 * so a caught DomainError never leaves an aggregate half-updated.
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

export function notFound(message: string): DomainError {
  return new DomainError("not_found", message);
}

export function alreadyExists(message: string): DomainError {
  return new DomainError("already_exists", message);
}

export function failedPrecondition(message: string, reason = ErrorReason.INVALID_STATE): DomainError {
  return new DomainError("failed_precondition", message, { reason });
}

export function permissionDenied(message: string): DomainError {
  return new DomainError("permission_denied", message);
}

/** The caller's copy is out of date: someone changed the resource since it was read. */
export function staleVersion(message: string): DomainError {
  return new DomainError("conflict", message, { reason: ErrorReason.STALE_VERSION });
}
