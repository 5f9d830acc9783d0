import { alreadyExists, type DomainError, unauthenticated } from "@shopmesh/kit/errors";

/**
 * Identity's own failures, on top of the kit's DomainError (@shopmesh/kit/errors): the ones whose
 * wording is a security decision.
 */

/**
 * Wrong email, password or MFA code. One message for all of them, so a caller cannot tell which
 * part was wrong or whether the email is registered.
 */
export function invalidCredentials(): DomainError {
  return unauthenticated("invalid email, password or code", "INVALID_CREDENTIALS");
}

/** A refresh, verification or reset token that is unknown, expired, used or revoked. */
export function tokenInvalid(message = "the token is invalid or has expired"): DomainError {
  return unauthenticated(message, "TOKEN_INVALID");
}

/** The store raises this when the unique email constraint fails on register. */
export function emailTaken(): DomainError {
  return alreadyExists("an account with this email exists already", "EMAIL_TAKEN");
}
