/** Helpers of the raw SQL in this folder. */

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

/** The driver leaves timestamps as text on raw queries (hydration would parse them). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

/** PostgreSQL bigint and numeric arrive as text; every quantity here is far below 2^53. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** `(?, ?, ?), (?, ?, ?)` for `rows` rows of `width` placeholders, with the casts given per column. */
export function valuesList(rows: number, casts: readonly string[]): string {
  const row = `(${casts.map((cast) => (cast ? `?::${cast}` : "?")).join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}
