import { MikroORM } from "@mikro-orm/postgresql";
import { quoteIdent } from "./pg.ts";

/** SQLSTATE of CREATE DATABASE when the name is taken; 23505 when a concurrent CREATE won the race. */
const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505";
const INVALID_CATALOG_NAME = "3D000";

/** Splits a postgres URL into the database it names and a URL of the maintenance database. */
export function parseDatabaseUrl(url: string, field = "url"): { name: string; adminUrl: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${field}: not a URL`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`${field}: must be a postgres:// URL`);
  }
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!name) throw new Error(`${field}: must name a database (postgres://host:port/<database>)`);
  const admin = new URL(parsed);
  admin.pathname = "/postgres";
  return { name, adminUrl: admin.toString() };
}

/**
 * Runs `fn` with a throwaway single-connection ORM on `url`; for work outside any service
 * database (CREATE/DROP DATABASE).
 */
export async function withConnection<T>(
  url: string,
  fn: (execute: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>,
): Promise<T> {
  const orm = await MikroORM.init({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    pool: { min: 0, max: 1 },
    colors: false,
  });
  try {
    const connection = orm.em.getConnection();
    return await fn((sql, params) => connection.execute(sql, params ?? []));
  } finally {
    await orm.close(true);
  }
}

/** Creates database `name` through the maintenance database, tolerating a concurrent creator. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<boolean> {
  return withConnection(adminUrl, async (execute) => {
    const rows = await execute("select 1 from pg_database where datname = ?", [name]);
    if (rows.length > 0) return false;
    try {
      await execute(`create database ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      throw err;
    }
  });
}

/** True when `err` says the database does not exist. */
export function isMissingDatabase(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === INVALID_CATALOG_NAME;
}
