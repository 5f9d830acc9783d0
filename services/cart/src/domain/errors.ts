import { DomainError } from "@shopmesh/kit/errors";

/**
 * The cart's own failures on top of the kit's DomainError (@shopmesh/kit/errors): they name the
 * request field they are about, so the BFF can point at it.
 */

/** NOT_FOUND, naming the request field that pointed at the missing thing when there is one. */
export function notFound(message: string, field?: string): DomainError {
  return new DomainError("not_found", message, {
    ...(field ? { violations: [{ field, description: message }] } : {}),
  });
}

/** FAILED_PRECONDITION (reason INVALID_STATE), naming the request field it is about when there is one. */
export function failedPrecondition(message: string, field?: string): DomainError {
  return new DomainError("failed_precondition", message, {
    reason: "INVALID_STATE",
    ...(field ? { violations: [{ field, description: message }] } : {}),
  });
}
