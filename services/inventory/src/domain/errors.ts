/**
 * What went wrong, independent of transport. The RPC layer maps each kind to one gRPC code:
 *
 * | kind                  | gRPC code           |
 * |-----------------------|---------------------|
 * | `invalid`             | INVALID_ARGUMENT    |
 * | `not_found`           | NOT_FOUND           |
 * | `already_exists`      | ALREADY_EXISTS      |
 * | `failed_precondition` | FAILED_PRECONDITION |
 * | `permission_denied`   | PERMISSION_DENIED   |
 */
export type DomainErrorKind =
  | "invalid"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "permission_denied";

/** A bad request field; `field` is the request's proto field path in lowerCamelCase ("lines[0].sku"). */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * Reasons that tell apart failures sharing a kind, sent as google.rpc.ErrorInfo.reason. The
 * shared ones are names of shopmesh.common.v1.ErrorReason without the prefix; OUT_OF_STOCK is
 * inventory's own (callers compare the string).
 */
export type ErrorReasonName = "OUT_OF_STOCK" | "INVALID_STATE" | "STALE_VERSION";

export interface DomainErrorOptions {
  reason?: ErrorReasonName;
  /** ErrorInfo.metadata: machine-readable facts about the failure ({ skus: "A,B" }). */
  metadata?: Readonly<Record<string, string>>;
  violations?: readonly FieldViolation[];
}

/**
 * The one error type of the inventory domain. Domain functions throw it before changing
 * anything, and store transactions roll back on it, so nothing is ever half-applied.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly kind: DomainErrorKind;
  readonly reason: ErrorReasonName | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly violations: readonly FieldViolation[];

  constructor(kind: DomainErrorKind, message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.kind = kind;
    this.reason = options.reason;
    this.metadata = options.metadata ?? {};
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

/** The resource is not in a state that allows the call (reason INVALID_STATE). */
export function invalidState(message: string): DomainError {
  return new DomainError("failed_precondition", message, { reason: "INVALID_STATE" });
}

export function permissionDenied(message: string): DomainError {
  return new DomainError("permission_denied", message);
}
