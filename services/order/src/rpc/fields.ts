import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/** Request checks that belong to no aggregate: presence and id format, naming the proto field. */

export function uuid(value: string, field: string): FieldViolation[] {
  if (value.length === 0) return [{ field, description: "is required" }];
  return isUuid(value) ? [] : [{ field, description: "must be a UUID" }];
}

/** A violation when `value` has more than `max` characters. */
export function maxLength(value: string, max: number, field: string): FieldViolation[] {
  return [...value].length > max ? [{ field, description: `must be at most ${max} characters` }] : [];
}

/** Throws INVALID_ARGUMENT listing every violation of the given checks. */
export function check(...violations: FieldViolation[][]): void {
  throwIfInvalid(violations.flat());
}
