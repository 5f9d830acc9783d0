/**
 * How values of plain SQL come back through the `pg` driver as the ORM's pool sets it up:
 * timestamps and 64-bit integers as text (JSON too carries them as text). Every service's raw
 * reads convert them with these.
 */

/** A timestamp column (text, or a Date where something parsed it already). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

/** A bigint column (text), e.g. amounts in minor units: exact, never through a float. */
export function toBigInt(value: unknown): bigint {
  return typeof value === "bigint" ? value : BigInt(value as string | number);
}

/** Options of a read that may lock what it reads. */
export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}
