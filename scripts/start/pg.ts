import { createRequire } from "node:module";

/** The part of node-postgres the launcher and the bench use (pg ships no type declarations). */
export interface PgClient {
  connect(): Promise<void>;
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): void;
}

interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
  escapeIdentifier(name: string): string;
}

const pg = createRequire(import.meta.url)("pg") as PgModule;

/** Runs `work` with a connected client and always disconnects. */
export async function withPg<T>(
  connectionString: string,
  work: (client: PgClient) => Promise<T>,
  timeoutMs = 3000,
): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same server and credentials, but the `postgres` maintenance database. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}

/** The database a URL names (`/shopmesh` → `shopmesh`). */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  if (!name) throw new Error(`DATABASE_URL ${databaseUrl} names no database`);
  return name;
}

/** Drops the URL's database (and its connections) when it exists. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withPg(maintenanceUrl(databaseUrl), async (client) => {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  });
}
