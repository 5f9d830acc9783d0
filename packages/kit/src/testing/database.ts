import { parseDatabaseUrl, withConnection } from "../db/admin.ts";
import { quoteIdent } from "../db/pg.ts";
import { randomToken } from "./random.ts";

export interface TestDatabase {
  /** postgres:// URL of the new database. */
  url: string;
  name: string;
  /** Ends every session on it and drops it. */
  drop(): Promise<void>;
}

/** Names `createTestDatabase` gives: "shopmesh_test_" and 10 random letters or digits. */
export const TEST_DATABASE_PATTERN = /^shopmesh_test_[a-z0-9]{10}$/;

function baseUrl(): string {
  return process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

/**
 * Creates an empty database `shopmesh_test_<random>` for one test file, on the server of
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 *
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await createTestDatabase(); });
 *   afterAll(() => db.drop());
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = baseUrl();
  const { adminUrl } = parseDatabaseUrl(base, "TEST_DATABASE_URL");
  const name = `shopmesh_test_${randomToken(10)}`;
  await withConnection(adminUrl, (execute) => execute(`create database ${quoteIdent(name)}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => dropTestDatabase(name),
  };
}

/** Drops a database made by `createTestDatabase`, even with sessions still open on it. */
export async function dropTestDatabase(name: string): Promise<void> {
  if (!TEST_DATABASE_PATTERN.test(name)) throw new Error(`name: ${name} is not a test database`);
  const { adminUrl } = parseDatabaseUrl(baseUrl(), "TEST_DATABASE_URL");
  await withConnection(adminUrl, (execute) =>
    execute(`drop database if exists ${quoteIdent(name)} with (force)`),
  );
}
