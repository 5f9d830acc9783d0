import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/** Request checks that belong to no aggregate: presence and id format, naming the proto field. */

/** A violation unless `value` is a UUID. */
export function uuid(value: string, field: string): FieldViolation[] {
  if (value.length === 0) return [{ field, description: "is required" }];
  return isUuid(value) ? [] : [{ field, description: "must be a UUID" }];
}

/** A violation unless `value` is 0 (not given) or a version a resource can have. */
export function version(value: bigint, field: string, required = false): FieldViolation[] {
  if (value === 0n) return required ? [{ field, description: "is required: the version you read" }] : [];
  return value > 0n && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? []
    : [{ field, description: "is not a version" }];
}

/** Throws INVALID_ARGUMENT listing every violation of the given checks. */
export function check(...violations: FieldViolation[][]): void {
  throwIfInvalid(violations.flat());
}
