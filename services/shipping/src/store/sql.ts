/** Helpers of the raw SQL in this folder. */

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

/** The driver leaves timestamps as text on raw queries (and inside JSON always). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}
