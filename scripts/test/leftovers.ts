import { readdirSync, readFileSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { createRedis } from "@shopmesh/kit/redis";
import {
  connectTestNats,
  deleteRedisPrefix,
  dropTestDatabase,
  isTestRedisKey,
  TEST_DATABASE_PATTERN,
  TEST_PREFIX_PATTERN,
  testRedisUrl,
} from "@shopmesh/kit/testing";
import { maintenanceUrl, withPg } from "../start/pg.ts";

/**
 * What tests left on the shared PostgreSQL, NATS and Redis: only names of the shapes the kit's
 * test helpers give (createTestDatabase, testPrefix), never anything of a real or benchmark
 * platform (`shopmesh`, `shopmesh_bench_*`, `SHOPMESH_*`, `BENCH*_*`, `shopmesh:*`).
 */
export interface Leftovers {
  /** JetStream streams `<PREFIX>_<CONTEXT>` of a test prefix. */
  streams: string[];
  /** Redis keys under each test prefix: prefix → (kind, e.g. "cart:user" → count). */
  redis: Map<string, Map<string, number>>;
  /** Databases `shopmesh_test_*`. */
  databases: string[];
}

/** True for a stream named `<TEST PREFIX>_<CONTEXT>` (the kit's streamName/dlqStreamName upper-cases). */
export function isTestStream(name: string): boolean {
  const underscore = name.indexOf("_");
  if (underscore < 0) return false;
  const prefix = name.slice(0, underscore);
  return prefix === prefix.toUpperCase() && TEST_PREFIX_PATTERN.test(prefix.toLowerCase());
}

/** The test prefix (lower case) that owns a test stream. */
export function streamPrefix(name: string): string {
  return name.slice(0, name.indexOf("_")).toLowerCase();
}

/** What a key is, for a summary: its second and third segments ("cart:user", "catalog:gen", "rl"). */
function keyKind(key: string): string {
  return key.split(":").slice(1, 3).join(":");
}

/** Every leftover test stream, Redis key (grouped) and database. */
export async function listLeftovers(): Promise<Leftovers> {
  const [streams, redis, databases] = await Promise.all([listStreams(), listRedis(), listDatabases()]);
  return { streams, redis, databases };
}

async function listStreams(): Promise<string[]> {
  const nats = await connectTestNats();
  try {
    const manager = await jetstreamManager(nats);
    const names: string[] = [];
    for await (const name of manager.streams.names()) if (isTestStream(name)) names.push(name);
    return names.sort();
  } finally {
    await nats.close();
  }
}

async function listRedis(): Promise<Map<string, Map<string, number>>> {
  const redis = createRedis({ url: testRedisUrl(), failFast: false });
  try {
    const found = new Map<string, Map<string, number>>();
    let cursor = "0";
    do {
      // SCAN, never KEYS: the server is shared, and KEYS blocks it for the whole keyspace.
      const [next, keys] = await redis.scan(cursor, "MATCH", "t*:*", "COUNT", 1000);
      for (const key of keys) {
        if (!isTestRedisKey(key)) continue;
        const prefix = key.slice(0, key.indexOf(":"));
        const kinds = found.get(prefix) ?? new Map<string, number>();
        kinds.set(keyKind(key), (kinds.get(keyKind(key)) ?? 0) + 1);
        found.set(prefix, kinds);
      }
      cursor = next;
    } while (cursor !== "0");
    return found;
  } finally {
    redis.disconnect();
  }
}

function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

async function listDatabases(): Promise<string[]> {
  return withPg(maintenanceUrl(testDatabaseUrl()), async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like 'shopmesh\\_test\\_%' order by datname",
    );
    return rows.map((row) => row.datname).filter((name) => TEST_DATABASE_PATTERN.test(name));
  });
}

/** How many leftovers there are of each kind. */
export function countLeftovers(leftovers: Leftovers): {
  streams: number;
  prefixes: number;
  keys: number;
  databases: number;
} {
  let keys = 0;
  for (const kinds of leftovers.redis.values()) for (const n of kinds.values()) keys += n;
  return {
    streams: leftovers.streams.length,
    prefixes: leftovers.redis.size,
    keys,
    databases: leftovers.databases.length,
  };
}

/** The leftovers in `after` that were not in `before` (those a run in between made). */
export function newLeftovers(before: Leftovers, after: Leftovers): Leftovers {
  const streams = new Set(before.streams);
  const databases = new Set(before.databases);
  const redis = new Map<string, Map<string, number>>();
  for (const [prefix, kinds] of after.redis) if (!before.redis.has(prefix)) redis.set(prefix, kinds);
  return {
    streams: after.streams.filter((name) => !streams.has(name)),
    redis,
    databases: after.databases.filter((name) => !databases.has(name)),
  };
}

/** Human-readable lines, one per test prefix (its streams and keys) and one per database. */
export function describeLeftovers(leftovers: Leftovers): string[] {
  const prefixes = new Set([...leftovers.streams.map(streamPrefix), ...leftovers.redis.keys()]);
  const lines: string[] = [];
  for (const prefix of [...prefixes].sort()) {
    const streams = leftovers.streams.filter((name) => streamPrefix(name) === prefix);
    const kinds = [...(leftovers.redis.get(prefix) ?? new Map<string, number>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, n]) => `${kind}×${n}`);
    const parts = [
      streams.length > 0 ? `streams ${streams.map((name) => name.slice(prefix.length + 1)).join(",")}` : "",
      kinds.length > 0 ? `redis ${kinds.join(" ")}` : "",
    ].filter(Boolean);
    lines.push(`${prefix}: ${parts.join("; ")}`);
  }
  for (const name of leftovers.databases) lines.push(`database ${name}`);
  return lines;
}

/** Deletes the given leftovers (streams, every key under each prefix, databases). */
export async function deleteLeftovers(leftovers: Leftovers): Promise<void> {
  if (leftovers.streams.length > 0) {
    const nats = await connectTestNats();
    try {
      const manager = await jetstreamManager(nats);
      for (const name of leftovers.streams) {
        if (!isTestStream(name)) throw new Error(`stream ${name} is not a test stream`);
        await manager.streams.delete(name).catch((error: Error) => {
          if (!/not found/i.test(error.message)) throw error;
        });
      }
    } finally {
      await nats.close();
    }
  }
  for (const prefix of leftovers.redis.keys()) await deleteRedisPrefix(`${prefix}:`);
  for (const name of leftovers.databases) await dropTestDatabase(name);
}

/**
 * Other running vitest processes (pid and command line), by /proc: not this process, its
 * ancestors or its descendants (a run's own workers). Deleting while one runs could take the data
 * of a live test.
 */
export function otherVitestProcesses(): string[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readOrEmpty(`/proc/${pid}/stat`);
    // The parent id is the 2nd field after the parenthesised command (which may hold spaces).
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isInteger(parent)) parents.set(pid, parent);
  }
  const related = (pid: number): boolean => {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) {
      if (at === process.pid) return true; // this process or a descendant
    }
    for (let at: number | undefined = process.pid; at !== undefined && at > 1; at = parents.get(at)) {
      if (at === pid) return true; // an ancestor
    }
    return false;
  };
  const found: string[] = [];
  for (const pid of parents.keys()) {
    if (related(pid)) continue;
    const command = readOrEmpty(`/proc/${pid}/cmdline`).split("\0").join(" ").trim();
    if (/vitest/.test(command)) found.push(`${pid} ${command}`);
  }
  return found;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
