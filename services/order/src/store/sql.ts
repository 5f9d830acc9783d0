/** Helpers of the raw SQL in this folder: the driver hands timestamps and bigints over as text. */

export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

/** A nullable timestamp column. */
export function toOptionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : toDate(value);
}

/** A bigint column (amounts in minor units). */
export function toBigInt(value: unknown): bigint {
  return typeof value === "bigint" ? value : BigInt(value as string | number);
}

/** An integer column small enough for a number. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}
