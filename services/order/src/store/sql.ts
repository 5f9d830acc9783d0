/** Helpers of the raw SQL in this folder: the driver hands timestamps and bigints over as text. */
import { toDate } from "@shopmesh/kit/db";

export { toBigInt, toDate } from "@shopmesh/kit/db";

/** A nullable timestamp column. */
export function toOptionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : toDate(value);
}

/** An integer column small enough for a number. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}
