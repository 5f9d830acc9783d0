/** Helpers of the raw SQL in this folder. */
import { toDate } from "@shopmesh/kit/db";

export { type LockOption, toDate } from "@shopmesh/kit/db";

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** jsonb may arrive parsed or as text, depending on the path. */
export function toJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
