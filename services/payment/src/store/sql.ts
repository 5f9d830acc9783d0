import type { PgQueryable } from "@shopmesh/kit/db";

/**
 * How the store talks to PostgreSQL: plain SQL on the `pg` pool under the ORM, with bound
 * parameters ($1, $2...) and every statement prepared once per session. MikroORM's `em.execute`
 * inlines parameters into the text, so PostgreSQL would parse and plan each call anew; a named
 * statement is parsed once per session and, after a few runs, runs on a cached generic plan.
 */

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

export interface SqlResult<R> {
  rows: R[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

/** One session (inside a transaction) or the pool (each statement on its own). */
export interface Sql {
  /**
   * Runs `text` with `values` bound to its placeholders, as a prepared statement. `text` must be
   * one of a bounded set (the values vary, not the text): each distinct text is prepared on every
   * session that runs it.
   */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<SqlResult<R>>;
}

/** The `pg` driver takes a query config with a statement name; the kit's type lists only text. */
interface PreparingQueryable {
  query<R>(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Statement names by text, shared by every session of the process. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `payment_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Prepared statements on a `pg` pool or pooled session. */
export function createSql(target: PgQueryable): Sql {
  const queryable = target as unknown as PreparingQueryable;
  return {
    async query<R>(text: string, values: readonly unknown[] = []) {
      const result = await queryable.query<R>({ name: statementName(text), text, values: [...values] });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * The values of a statement built from parts: `add` appends a value and answers its placeholder,
 * cast to `type` when given (PostgreSQL cannot infer the type of a parameter everywhere).
 *
 *   const p = parameters();
 *   const text = `select ... where id = ${p.add(id, "uuid")}`;
 *   await sql.query(text, p.values);
 */
export function parameters() {
  const values: unknown[] = [];
  return {
    values,
    add(value: unknown, type?: string): string {
      values.push(value);
      return type ? `$${values.length}::${type}` : `$${values.length}`;
    },
  };
}

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
