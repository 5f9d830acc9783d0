import type { FieldViolation } from "@shopmesh/kit/errors";

/** RFC 5321's limit for a forward path; longer addresses cannot receive mail. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

// RFC 5322 dot-atom text of the local part (quoted local parts are not accepted: no mail
// provider hands them out, and they complicate every system the address travels to).
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const TOP_LEVEL_DOMAIN = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i;

/**
 * The form emails are stored and looked up in: trimmed and lower-cased, so "Ann@Example.com "
 * and "ann@example.com" are one account.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks an email (best after normalizeEmail) and returns the violations for `field`.
 * Accepts dot-atom local parts and DNS host names with a top-level domain; internationalised
 * domains must be in their punycode (xn--) form.
 */
export function checkEmail(email: string, field = "email"): FieldViolation[] {
  const problem = emailProblem(email);
  return problem ? [{ field, description: problem }] : [];
}

function emailProblem(email: string): string | undefined {
  if (email.length === 0) return "is required";
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return "must be an email address like name@example.com";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_PART_LENGTH) {
    return `the part before @ must be at most ${MAX_LOCAL_PART_LENGTH} characters`;
  }
  if (!LOCAL_PART.test(local)) return "the part before @ contains characters an email address cannot have";
  const labels = domain.split(".");
  const tld = labels.at(-1) ?? "";
  if (
    labels.length < 2 ||
    !labels.every((label) => DOMAIN_LABEL.test(label)) ||
    !TOP_LEVEL_DOMAIN.test(tld)
  ) {
    return "the part after @ must be a domain like example.com";
  }
  return undefined;
}
