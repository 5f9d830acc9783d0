import type { EntityManager } from "@shopmesh/kit/db";
import { quoteIdent } from "@shopmesh/kit/db";

export { toDate } from "@shopmesh/kit/db";

/**
 * Plain SQL for the audit store: statements use `?` placeholders and run in the unit of work
 * (and transaction) of an EntityManager, or on the Db outside one. 64-bit integers travel as
 * text with a `::bigint` cast and come back as text.
 */
export type Sql = <R extends object = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
) => Promise<R[]>;

/** Runs statements in the transaction of `em`. */
export function emSql(em: EntityManager): Sql {
  return <R extends object>(text: string, params: readonly unknown[] = []) =>
    em.execute<R[]>(text, [...params]) as Promise<R[]>;
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** bigint and numeric columns arrive as text. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (value === null || value === undefined) return 0n;
  return BigInt(typeof value === "number" ? Math.trunc(value) : String(value));
}

/** A date column as "YYYY-MM-DD" (the driver may hand back text or a Date at local midnight). */
export function toDay(value: unknown): string {
  if (value instanceof Date) {
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  return String(value).slice(0, 10);
}
