import type { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";

/**
 * What went wrong, independent of transport. `toRpcError` (@shopmesh/kit/errors/rpc) maps each
 * kind to one gRPC code:
 *
 * | kind                  | gRPC code           |
 * |-----------------------|---------------------|
 * | `invalid`             | INVALID_ARGUMENT    |
 * | `not_found`           | NOT_FOUND           |
 * | `already_exists`      | ALREADY_EXISTS      |
 * | `conflict`            | ABORTED             |
 * | `unauthenticated`     | UNAUTHENTICATED     |
 * | `permission_denied`   | PERMISSION_DENIED   |
 * | `failed_precondition` | FAILED_PRECONDITION |
 * | `unavailable`         | UNAVAILABLE         |
 */
export type DomainErrorKind =
  | "invalid"
  | "not_found"
  | "already_exists"
  | "conflict"
  | "unauthenticated"
  | "permission_denied"
  | "failed_precondition"
  | "unavailable";

/** A bad request field; `field` is the request's proto field path in lowerCamelCase ("lines[0].sku"). */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * A shopmesh.common.v1.ErrorReason by its name without the prefix ("OUT_OF_STOCK"), as it travels
 * in google.rpc.ErrorInfo.reason and as callers compare it.
 */
export type ErrorReasonName = Exclude<keyof typeof ErrorReason, "UNSPECIFIED">;

export interface DomainErrorOptions {
  /** Lets callers tell apart failures that share a kind (sent as google.rpc.ErrorInfo). */
  reason?: ErrorReasonName;
  /** ErrorInfo.metadata: machine-readable facts about the failure ({ skus: "A,B" }). */
  metadata?: Readonly<Record<string, string>>;
  violations?: readonly FieldViolation[];
}

/**
 * The one error type of every service's domain. Domain functions throw it before changing
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

export function alreadyExists(message: string, reason?: ErrorReasonName): DomainError {
  return new DomainError("already_exists", message, { reason });
}

/** The resource is not in a state that allows the call; INVALID_STATE unless a reason says more. */
export function failedPrecondition(
  message: string,
  reason: ErrorReasonName = "INVALID_STATE",
  metadata?: Readonly<Record<string, string>>,
): DomainError {
  return new DomainError("failed_precondition", message, { reason, metadata });
}

/** The resource is not in a state that allows the call (reason INVALID_STATE). */
export function invalidState(message: string): DomainError {
  return failedPrecondition(message, "INVALID_STATE");
}

/** The caller's copy is out of date: someone changed the resource since it was read. */
export function staleVersion(message: string): DomainError {
  return new DomainError("conflict", message, { reason: "STALE_VERSION" });
}

export function unauthenticated(message: string, reason?: ErrorReasonName): DomainError {
  return new DomainError("unauthenticated", message, { reason });
}

export function permissionDenied(message: string, reason?: ErrorReasonName): DomainError {
  return new DomainError("permission_denied", message, { reason });
}
