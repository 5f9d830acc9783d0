import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/** Request checks that belong to no aggregate: presence and id format, naming the proto field. */

/** A violation unless `value` is a UUID. */
export function uuid(value: string, field: string): FieldViolation[] {
  if (value.length === 0) return [{ field, description: "is required" }];
  return isUuid(value) ? [] : [{ field, description: "must be a UUID" }];
}

/** A violation unless `value` is empty or a UUID (an optional id). */
export function optionalUuid(value: string, field: string): FieldViolation[] {
  return value.length === 0 ? [] : uuid(value, field);
}

/** Throws INVALID_ARGUMENT listing every violation of the given checks. */
export function check(...violations: FieldViolation[][]): void {
  throwIfInvalid(violations.flat());
}
