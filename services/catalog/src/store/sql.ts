import { createSql, type EntityManager, type PgQueryable } from "@shopmesh/kit/db";

export { toDate } from "@shopmesh/kit/db";

/**
 * Plain SQL for the hot reads and search. Statements use `?` placeholders whichever way they
 * run: through the ORM's EntityManager inside a transaction, or straight on the `pg` pool
 * outside one, as the kit's prepared statements (bound parameters; planned once per session,
 * the catalog's pool running on generic plans). Statements already numbered `$1, $2...` (search)
 * run as they are. Arrays travel as PostgreSQL array literals (pgArray) with an explicit cast,
 * 64-bit integers as text: both ways then read them alike. Statement texts must be a bounded set
 * (lists travel as one array parameter, never as a placeholder each).
 */
export type Sql = <R extends object = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
) => Promise<R[]>;

/** Runs statements on the pool, outside any transaction. */
export function poolSql(pool: PgQueryable): Sql {
  const sql = createSql(pool);
  const numbered = new Map<string, string>();
  return async <R extends object>(text: string, params: readonly unknown[] = []) => {
    let statement = numbered.get(text);
    if (statement === undefined) {
      let n = 0;
      statement = text.replace(/\?/g, () => `$${++n}`);
      numbered.set(text, statement);
    }
    return (await sql.query<R>(statement, params)).rows;
  };
}

/** Runs statements in the unit of work (and transaction) of `em`. */
export function emSql(em: EntityManager): Sql {
  return <R extends object>(text: string, params: readonly unknown[] = []) =>
    em.execute<R[]>(text, [...params]) as Promise<R[]>;
}

/** A PostgreSQL array literal of text values ('{"a","b"}'), for a `?::text[]` or `?::uuid[]` parameter. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}
