import { invalid } from "@shopmesh/kit/errors";
import { checkFieldMask } from "@shopmesh/kit/field-mask";

export { applyFieldMask, maskIncludes, toCamelPath } from "@shopmesh/kit/field-mask";

/**
 * The writable leaves a FieldMask selects (see checkFieldMask in @shopmesh/kit/field-mask); an
 * unknown or read-only path throws this domain's `invalid` error naming `field`.
 */
export function resolveFieldMask(
  paths: readonly string[],
  writable: readonly string[],
  field = "updateMask",
): string[] {
  const { leaves, violations } = checkFieldMask(paths, writable, field);
  if (violations.length > 0) throw invalid(violations);
  return leaves;
}
