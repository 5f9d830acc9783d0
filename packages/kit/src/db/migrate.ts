import type { Logger } from "../log/index.ts";
import { type PgPool, quoteIdent } from "./pg.ts";

/**
 * One schema change: plain SQL, run once per schema, in list order, in its own transaction with
 * `search_path` set to the service's schema (so unqualified names land there). Never edit a
 * migration that has shipped; append a new one.
 */
export interface Migration {
  /** Unique and stable: it is what `schema_migrations` records. */
  name: string;
  /** One string (may hold several statements) or several, run in order. */
  up: string | readonly string[];
}

/** Checks a migration list before anything runs, so a bad list changes nothing. */
export function validateMigrations(migrations: readonly Migration[], field = "migrations"): void {
  if (!Array.isArray(migrations)) throw new Error(`${field}: must be an array`);
  const seen = new Set<string>();
  migrations.forEach((migration, index) => {
    const at = `${field}[${index}]`;
    if (typeof migration?.name !== "string" || migration.name.trim() === "") {
      throw new Error(`${at}.name: must be a non-empty string`);
    }
    if (seen.has(migration.name)) throw new Error(`${at}.name: duplicate migration name "${migration.name}"`);
    seen.add(migration.name);
    const parts = typeof migration.up === "string" ? [migration.up] : migration.up;
    if (
      !Array.isArray(parts) ||
      parts.length === 0 ||
      parts.some((sql) => typeof sql !== "string" || !sql.trim())
    ) {
      throw new Error(`${at}.up: must be SQL text or a non-empty list of SQL texts`);
    }
  });
}

/**
 * Creates `schema` and applies the migrations it has not seen yet. Holds a session-level advisory
 * lock keyed by the schema for the whole run, so when several replicas start together exactly one
 * migrates and the others wait, then find everything applied. Returns the names it applied.
 */
export async function runMigrations(
  pool: PgPool,
  schema: string,
  migrations: readonly Migration[],
  logger?: Logger,
): Promise<string[]> {
  const q = quoteIdent(schema);
  const lockKey = `shopmesh:migrate:${schema}`;
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [lockKey]);
    await client.query(`create schema if not exists ${q}`);
    await client.query(
      `create table if not exists ${q}.schema_migrations (
         name text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
    const done = await client.query<{ name: string }>(`select name from ${q}.schema_migrations`);
    const already = new Set(done.rows.map((row) => row.name));
    for (const migration of migrations) {
      if (already.has(migration.name)) continue;
      const started = performance.now();
      await client.query("begin");
      try {
        await client.query(`set local search_path to ${q}, public`);
        for (const sql of typeof migration.up === "string" ? [migration.up] : migration.up) {
          await client.query(sql);
        }
        await client.query(`insert into ${q}.schema_migrations (name) values ($1)`, [migration.name]);
        await client.query("commit");
      } catch (err) {
        await client.query("rollback").catch(() => undefined);
        throw new Error(
          `migration "${migration.name}" in schema ${schema} failed: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      applied.push(migration.name);
      logger?.info(
        { schema, migration: migration.name, ms: Math.round(performance.now() - started) },
        "migrated",
      );
    }
  } finally {
    // Ending the session releases the advisory lock whatever state the session is in.
    client.release(true);
  }
  return applied;
}
