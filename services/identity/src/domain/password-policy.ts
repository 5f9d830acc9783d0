import type { FieldViolation } from "@shopmesh/kit/errors";

export const MIN_PASSWORD_LENGTH = 10;
/** Bounds the work one login can cause: argon2 hashes the whole input. */
export const MAX_PASSWORD_LENGTH = 128;

/**
 * Passwords of the allowed length that top the public breach lists. Length beats composition
 * rules (NIST SP 800-63B), so the policy is length plus a refusal of the few passwords every
 * credential-stuffing run tries first.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "0123456789",
  "1234567890",
  "12345678910",
  "123456789a",
  "0987654321",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qwertyuiop",
  "qwerty1234",
  "qwerty12345",
  "qwerty123456",
  "asdfghjkl1",
  "zxcvbnm123",
  "abcdefghij",
  "abc1234567",
  "abcd123456",
  "password12",
  "password123",
  "password1234",
  "password1!",
  "passw0rd123",
  "p@ssw0rd123",
  "iloveyou12",
  "iloveyou123",
  "letmein123",
  "welcome123",
  "welcome1234",
  "admin12345",
  "admin123456",
  "administrator",
  "changeme123",
  "football123",
  "baseball123",
  "princess123",
  "sunshine123",
  "starwars123",
  "trustno1234",
  "shopmesh123",
  "shopmesh1234",
]);

export interface PasswordCheckOptions {
  /** The request field holding the password ("password", "newPassword"). */
  field?: string;
  /** The account's email: the password may not be it, nor its part before @. */
  email?: string;
}

/**
 * Checks a new password against the policy: 10 to 128 characters, not one repeated character,
 * not the account's email, not one of the most common passwords. Returns one violation naming
 * `field` per broken rule.
 */
export function checkPassword(password: string, options: PasswordCheckOptions = {}): FieldViolation[] {
  const field = options.field ?? "password";
  const length = [...password].length;
  if (length === 0) return [{ field, description: "is required" }];
  if (length < MIN_PASSWORD_LENGTH) {
    return [{ field, description: `must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return [{ field, description: `must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  }
  const violations: FieldViolation[] = [];
  const lower = password.toLowerCase();
  if (new Set(password).size === 1) violations.push({ field, description: "must not repeat one character" });
  if (options.email) {
    const email = options.email.trim().toLowerCase();
    const local = email.slice(0, email.lastIndexOf("@"));
    if (lower === email || (local.length > 0 && lower === local)) {
      violations.push({ field, description: "must not be your email address" });
    }
  }
  if (COMMON_PASSWORDS.has(lower)) violations.push({ field, description: "is too common; choose another" });
  return violations;
}
