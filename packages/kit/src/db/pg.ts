/**
 * The small part of the `pg` driver (which MikroORM's PostgreSQL driver runs on) that the kit
 * uses directly: dedicated sessions for advisory locks, LISTEN/NOTIFY and the outbox relay.
 * `pg` ships no types here, so these describe just what we call.
 */

export interface PgQueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

export interface PgQueryable {
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<PgQueryResult<R>>;
}

/** A session checked out of the pool; give it back with `release()` (pass an error to discard it). */
export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
}

export interface PgNotification {
  channel: string;
  payload?: string;
}

/** A session of its own, outside the pool (LISTEN needs one that stays open). */
export interface PgClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: "notification", listener: (message: PgNotification) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  on(event: "end", listener: () => void): this;
}

/** The `pg.Pool` under the ORM. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  readonly options: Record<string, unknown>;
  readonly Client: new (options: Record<string, unknown>) => PgClient;
}

/** Quotes an identifier (schema, table, channel) for SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
