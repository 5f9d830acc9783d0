import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/** Request checks that belong to no aggregate: presence and id format, naming the proto field. */

/** A violation unless `value` is a UUID. */
export function uuid(value: string, field: string): FieldViolation[] {
  if (value.length === 0) return [{ field, description: "is required" }];
  return isUuid(value) ? [] : [{ field, description: "must be a UUID" }];
}

/** A violation unless `value` is empty or a UUID (an optional id filter). */
export function optionalUuid(value: string, field: string): FieldViolation[] {
  return value.length === 0 ? [] : uuid(value, field);
}

/** Throws INVALID_ARGUMENT listing every violation of the given checks. */
export function check(...violations: FieldViolation[][]): void {
  throwIfInvalid(violations.flat());
}

/** An int64 request field as a number; INVALID_ARGUMENT beyond ±2^53 (no quantity comes close). */
export function int64(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    check([{ field, description: "is out of range" }]);
  }
  return Number(value);
}
