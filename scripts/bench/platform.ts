import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { loadLaunchConfig } from "../start/config.ts";
import { freePort, freePorts } from "../start/free-port.ts";
import { dropDatabase } from "../start/pg.ts";
import { type LaunchPlan, planLaunch } from "../start/plan.ts";
import { launchProcesses, type RunningProcesses } from "../start/platform.ts";
import { GRPC_PORTS, REGISTRY, type ServiceName, serviceEnvName } from "../start/registry.ts";
import { deleteBenchStreams, loadGeneratorCpuMs, processCpuMs, serverCpuMs } from "./cleanup.ts";

/** The real services and BFF, started for a benchmark on their own database, ports and prefixes. */
export interface BenchPlatform {
  /** The BFF's base URL, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Prefix of every Redis key the platform's services write (rate limits, caches, carts). */
  redisPrefix: string;
  plans: LaunchPlan[];
  /**
   * CPU time (user + system, ms) each platform process has used so far, by name, and that of
   * PostgreSQL, NATS, Redis and the load generator (this process); differences around a
   * measurement divided by its requests give the CPU cost of one request, a figure that stays
   * meaningful on a machine other jobs share.
   */
  cpuMs(): Record<string, number>;
  /** Stops the processes and removes the database, streams and keys it used. */
  close(): Promise<void>;
}

/**
 * BENCH_CPU_PROFILE=<folder>: every started process writes a V8 CPU profile there when it stops
 * (open it in Chrome DevTools).
 */
export function profileArgs(): string[] {
  const folder = process.env.BENCH_CPU_PROFILE;
  return folder ? ["--cpu-prof", `--cpu-prof-dir=${folder}`] : [];
}

/**
 * The launch config of a benchmark's own platform: database `shopmesh_bench_<suffix>` (the
 * services create it) and every port free (gRPC, HTTP and the block of metrics ports), so a
 * benchmark neither collides with nor reads the data of a platform running on this machine.
 */
export async function benchLaunchConfig(): Promise<{
  suffix: string;
  databaseUrl: string;
  config: ReturnType<typeof loadLaunchConfig>;
}> {
  const suffix = randomBytes(4).toString("hex");
  const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/shopmesh");
  base.pathname = `/shopmesh_bench_${suffix}`;
  const databaseUrl = base.toString();
  const servicePorts: Record<string, string> = {};
  for (const name of Object.keys(GRPC_PORTS) as ServiceName[]) {
    servicePorts[serviceEnvName(name, "PORT")] = String(await freePort());
  }
  const config = loadLaunchConfig({
    ...process.env,
    ...servicePorts,
    DATABASE_URL: databaseUrl,
    PORT: String(await freePort()),
    METRICS_PORT_BASE: String(await freePorts(Object.keys(GRPC_PORTS).length)),
  });
  return { suffix, databaseUrl, config };
}

/**
 * Starts every registered service and the BFF like `npm start` does, but isolated from a running
 * local platform (benchLaunchConfig; this drops the database when it stops): its own NATS and
 * rate-limit prefixes, rate limits out of the way, warn-level logs. Requires the given processes
 * to exist.
 */
export async function startBenchPlatform(options: {
  root: string;
  require: string[];
  log: (message: string) => void;
}): Promise<BenchPlatform> {
  const { suffix, databaseUrl, config } = await benchLaunchConfig();
  const plans = planLaunch(REGISTRY, config, { root: options.root, exists: existsSync });
  const missing = options.require.filter((name) => !plans.some((plan) => plan.name === name));
  if (missing.length > 0) throw new Error(`needs ${missing.join(" and ")}, not present in this tree`);
  const eventsPrefix = `bench${suffix}`;
  for (const plan of plans) {
    Object.assign(plan.env, {
      EVENTS_PREFIX: eventsPrefix,
      LOG_LEVEL: "warn",
      RATE_LIMIT_LIMIT: "1000000000",
      RATE_LIMIT_AUTH_LIMIT: "1000000",
      RATE_LIMIT_PREFIX: `shopmesh:bench:${suffix}:rl:`,
      CACHE_PREFIX: `shopmesh:bench:${suffix}:catalog:`,
      // The catalog's change announcements and the BFF that follows them, apart from any other
      // platform on this Redis (whose changes would empty the BFF's cache).
      CHANGES_CHANNEL: `shopmesh:bench:${suffix}:catalog:changes`,
      CATALOG_CHANGES_CHANNEL: `shopmesh:bench:${suffix}:catalog:changes`,
      CART_PREFIX: `shopmesh:bench:${suffix}:cart:`,
    });
  }

  let running: RunningProcesses | undefined;
  const close = async () => {
    await running?.stop();
    await dropDatabase(databaseUrl).catch((error) =>
      options.log(`could not drop ${databaseUrl}: ${error.message}`),
    );
    await deleteBenchStreams(config.natsUrl, eventsPrefix).catch((error) =>
      options.log(`could not delete the ${eventsPrefix} streams: ${error.message}`),
    );
  };
  try {
    options.log(`starting ${plans.map((plan) => plan.name).join(", ")} on ${databaseUrl}`);
    running = launchProcesses({
      plans,
      cwd: options.root,
      startTimeoutMs: 120_000,
      onLine: () => {},
      nodeArgs: profileArgs(),
    });
    await running.ready;
  } catch (error) {
    await close();
    throw error;
  }
  const bff = plans.find((plan) => plan.kind === "http");
  const processes = running?.processes ?? [];
  return {
    baseUrl: `http://127.0.0.1:${bff?.port ?? config.httpPort}`,
    redisPrefix: `shopmesh:bench:${suffix}:`,
    plans,
    cpuMs: () => ({
      ...Object.fromEntries(processes.map((process) => [process.name, processCpuMs(process.pid)])),
      // the servers the platform runs on, and this process (the load generator) itself
      ...serverCpuMs(),
      "load generator": loadGeneratorCpuMs(),
    }),
    close,
  };
}
