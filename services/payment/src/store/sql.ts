/**
 * How the store talks to PostgreSQL: the kit's plain SQL on the `pg` pool under the ORM (bound
 * parameters, every statement prepared once per session), and how values come back.
 */
export {
  createSql,
  type LockOption,
  type Parameters,
  parameters,
  type Sql,
  type SqlResult,
  toBigInt,
  toDate,
  unnestRows,
} from "@shopmesh/kit/db";

/** bytea arrives as a Buffer; the domain speaks Uint8Array. */
export function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(Buffer.from(value as string));
}
