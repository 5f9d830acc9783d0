import { insertedTables, reportCommittedInserts } from "./committed-inserts.ts";
import type { PgPool, PgQueryable } from "./pg.ts";

/**
 * Plain SQL on the `pg` pool under the ORM, for hot paths: bound parameters ($1, $2...) and every
 * statement prepared once per session. MikroORM's `em.execute` inlines parameters into the text,
 * so PostgreSQL parses and plans each call anew; a named statement is parsed once per session
 * and, after a few runs, runs on a cached generic plan.
 */

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

/** The `pg` driver takes a query config with a statement name; the kit's PgQueryable lists only text. */
interface PreparingQueryable {
  query<R>(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: R[]; rowCount: number | null }>;
}

interface StatementInfo {
  name: string;
  /** The tables the statement inserts into, reported once it has committed. */
  inserts: string[];
}

/** Statement names (and what they insert into) by text, shared by every session of the process. */
const statements = new Map<string, StatementInfo>();

function statementInfo(text: string): StatementInfo {
  let info = statements.get(text);
  if (info === undefined) {
    info = { name: `s${statements.size + 1}`, inserts: insertedTables(text) };
    statements.set(text, info);
  }
  return info;
}

/**
 * Prepared statements on a `pg` pool or a pooled session. On the pool each statement commits on
 * its own, and the tables it inserted into are reported (watchCommittedInserts) when it has;
 * inside `sqlTransaction` they are reported after COMMIT. (On a session in a transaction of your
 * own they would be reported before it commits: write in transactions with `sqlTransaction`.)
 */
export function createSql(target: PgQueryable): Sql {
  return preparedSql(target, reportCommittedInserts);
}

function preparedSql(target: PgQueryable, inserted: (tables: readonly string[]) => void): Sql {
  const queryable = target as unknown as PreparingQueryable;
  return {
    async query<R>(text: string, values: readonly unknown[] = []) {
      const { name, inserts } = statementInfo(text);
      const result = await queryable.query<R>({ name, text, values: [...values] });
      if (inserts.length > 0) inserted(inserts);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * Runs `fn` in one transaction on one session of the pool: COMMIT when it resolves, ROLLBACK when
 * it throws. A session whose ROLLBACK fails may be mid-transaction: the pool discards it.
 */
export async function sqlTransaction<T>(pool: PgPool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const session = await pool.connect();
  let broken: Error | undefined;
  const inserted = new Set<string>();
  try {
    await session.query("begin");
    const result = await fn(
      preparedSql(session, (tables) => {
        for (const table of tables) inserted.add(table);
      }),
    );
    await session.query("commit");
    reportCommittedInserts(inserted);
    return result;
  } catch (error) {
    await session.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    session.release(broken);
  }
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

/** A statement's parameter builder (parameters()). */
export type Parameters = ReturnType<typeof parameters>;

/**
 * `select * from unnest(...)` over one array per column, each added to `p` as an array of its
 * `type`: rows for an `insert ... select` in one statement text for any number of rows, so it
 * stays one prepared statement.
 *
 *   `insert into ledger (id, amount) ${unnestRows(p, [[rows.map((r) => r.id), "uuid"], [amounts, "bigint"]])}`
 */
export function unnestRows(
  p: Parameters,
  columns: readonly (readonly [values: readonly unknown[], type: string])[],
): string {
  return `select * from unnest(${columns.map(([values, type]) => p.add(values, `${type}[]`)).join(", ")})`;
}
