/** Helpers of the raw SQL in this folder. */

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

/** The driver leaves timestamps as text on raw queries (hydration would parse them). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** jsonb may arrive parsed or as text, depending on the path. */
export function toJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
