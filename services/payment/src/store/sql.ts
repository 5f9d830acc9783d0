/**
 * How the store talks to PostgreSQL: the kit's plain SQL on the `pg` pool under the ORM (bound
 * parameters, every statement prepared once per session), and how values come back.
 */

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

export {
  createSql,
  type Parameters,
  parameters,
  type Sql,
  type SqlResult,
  unnestRows,
} from "@shopmesh/kit/db";

/** Timestamps arrive as text: the ORM's type parsers, which the pool shares, leave them so. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

/** PostgreSQL bigint arrives as text; money stays a bigint all the way. */
export function toBigInt(value: unknown): bigint {
  return typeof value === "bigint" ? value : BigInt(value as string | number);
}

/** bytea arrives as a Buffer; the domain speaks Uint8Array. */
export function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(Buffer.from(value as string));
}
