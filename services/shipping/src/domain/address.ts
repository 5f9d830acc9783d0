import { checkCountryCode } from "@shopmesh/kit/countries";
import type { FieldViolation } from "@shopmesh/kit/errors";

/** A postal address, as shopmesh.common.v1.Address. */
export interface PostalAddress {
  recipient: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

const MAX_PART = 200;
const MAX_POSTAL_CODE = 16;
const MAX_PHONE = 32;

/**
 * Violations of an address a label is printed for: recipient, first line, city and country are
 * required (the postal code is not: some countries have none); parts of at most 200 characters.
 */
export function checkShippingAddress(address: PostalAddress | undefined, field: string): FieldViolation[] {
  if (!address) return [{ field, description: "is required" }];
  const violations: FieldViolation[] = [];
  for (const part of ["recipient", "line1", "city"] as const) {
    if (address[part].trim() === "")
      violations.push({ field: `${field}.${part}`, description: "is required" });
  }
  for (const part of ["recipient", "line1", "line2", "city", "region"] as const) {
    if ([...address[part]].length > MAX_PART) {
      violations.push({ field: `${field}.${part}`, description: `must be at most ${MAX_PART} characters` });
    }
  }
  if ([...address.postalCode].length > MAX_POSTAL_CODE) {
    violations.push({
      field: `${field}.postalCode`,
      description: `must be at most ${MAX_POSTAL_CODE} characters`,
    });
  }
  if ([...address.phone].length > MAX_PHONE) {
    violations.push({ field: `${field}.phone`, description: `must be at most ${MAX_PHONE} characters` });
  }
  violations.push(...checkCountryCode(address.countryCode, `${field}.countryCode`));
  return violations;
}
