import { createRequire } from "node:module";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type DemoCatalog, generateDemoCatalog } from "../../seed/generate.ts";
import { seedDemoCatalog } from "../../seed/seed.ts";
import { withPg } from "../../start/pg.ts";
import { deleteBenchKeys } from "../cleanup.ts";
import { openLoopHttp } from "../open-loop.ts";
import { type BenchPlatform, startBenchPlatform } from "../platform.ts";
import type { BenchContext, BenchResult } from "../types.ts";

/** The bench platform with the demo catalog in it. */
export interface SeededShop {
  platform: BenchPlatform;
  demo: DemoCatalog;
  catalogAddress: string;
  seedMs: number;
  close(): Promise<void>;
}

/**
 * Starts identity, catalog, inventory, cart and the BFF on a database, ports and Redis prefixes of
 * their own (startBenchPlatform) and seeds `products` demo products through the real services.
 */
export async function startSeededShop(
  context: BenchContext,
  products: number,
  options: { stock?: boolean } = {},
): Promise<SeededShop> {
  const platform: BenchPlatform = await startBenchPlatform({
    root: context.root,
    require: ["identity", "catalog", "inventory", "cart", "bff"],
    log: context.log,
  });
  const close = async () => {
    await platform.close();
    await deleteBenchKeys(platform.redisPrefix).catch((error: Error) =>
      context.log(`could not delete the bench's Redis keys: ${error.message}`),
    );
  };
  try {
    const envOf = (name: string) => platform.plans.find((plan) => plan.name === name)?.env ?? {};
    const addressOf = (name: string) => {
      const health = platform.plans.find((plan) => plan.name === name)?.health;
      if (health?.kind !== "grpc") throw new Error(`${name} is not running`);
      return health.address;
    };
    const identityEnv = envOf("identity");
    const demo = generateDemoCatalog({ products });
    context.log(`seeding ${products} demo products...`);
    const result = await seedDemoCatalog({
      identityAddress: addressOf("identity"),
      catalogAddress: addressOf("catalog"),
      inventoryAddress: addressOf("inventory"),
      admin: {
        email: identityEnv.SHOPMESH_ADMIN_EMAIL ?? "",
        password: identityEnv.SHOPMESH_ADMIN_PASSWORD ?? "",
      },
      catalog: demo,
      concurrency: 8,
      stock: options.stock ?? true,
      log: context.log,
    });
    if (!result.seeded) throw new Error("the bench database was not empty; nothing seeded");
    context.log(
      `seeded ${result.products} products, ${result.stockAdjustments} stock levels in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    await settle(context, envOf("catalog"));
    return { platform, demo, catalogAddress: addressOf("catalog"), seedMs: result.durationMs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Lets the platform reach the state a running shop is in before measuring: every service has
 * consumed the events seeding published (the catalog's "in stock" projection, audit, ...), and
 * PostgreSQL has statistics of the freshly seeded tables (what autovacuum does on a server where
 * it is on; without them the planner guesses and search runs several times slower).
 */
async function settle(context: BenchContext, catalogEnv: Record<string, string>): Promise<void> {
  const started = Date.now();
  const prefix = catalogEnv.EVENTS_PREFIX ?? "";
  const nats = await connect({ servers: catalogEnv.NATS_URL ?? "nats://127.0.0.1:4222", timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nats);
    const backlog = async () => {
      let pending = 0;
      for await (const stream of jsm.streams.list()) {
        if (!stream.config.name.startsWith(`${prefix.toUpperCase()}_`)) continue;
        for await (const consumer of jsm.consumers.list(stream.config.name)) {
          pending += consumer.num_pending + consumer.num_ack_pending;
        }
      }
      return pending;
    };
    for (;;) {
      const pending = await backlog();
      if (pending === 0) break;
      if (Date.now() - started > 300_000) {
        context.log(`${pending} events still unconsumed after 300 s; measuring anyway`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await nats.close();
  }
  if (catalogEnv.DATABASE_URL) {
    await withPg(catalogEnv.DATABASE_URL, (client) => client.query("vacuum analyze"), 10_000);
  }
  context.log(
    `events consumed and tables analysed in ${((Date.now() - started) / 1000).toFixed(1)} s after seeding`,
  );
}

/** True when the BFF answers `path` with 200 (its catalog routes may not exist yet). */
export async function bffServes(baseUrl: string, path: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}${path}`);
  await response.arrayBuffer();
  return response.status === 200;
}

interface AutocannonRun {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonRun>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/**
 * Like measureHttp, but every request takes the next path of `nextPath()` (shared by all
 * connections), so a run spreads over many URLs instead of hammering one.
 */
export async function measureHttpPaths(load: {
  baseUrl: string;
  nextPath: () => string;
  connections: number;
  durationS: number;
  /** Samples the platform's CPU time (BenchPlatform.cpuMs), for the CPU cost per request. */
  cpuMs?: () => Record<string, number>;
  /**
   * Requests per second offered on a fixed schedule (openLoopHttp): the latency at a given load
   * rather than at saturation. Unset: autocannon, as fast as the connections go.
   */
  rate?: number;
}): Promise<{ requestsPerSec: number; p50Ms: number; p99Ms: number; errors: number; cpu: string }> {
  const options = {
    url: load.baseUrl,
    connections: load.connections,
    requests: [{ method: "GET", setupRequest: (request: object) => ({ ...request, path: load.nextPath() }) }],
  };
  await autocannon({ ...options, duration: 1 });
  if (load.rate) {
    const before = load.cpuMs?.();
    const result = await openLoopHttp({ ...load, rate: load.rate });
    const after = load.cpuMs?.();
    const served = result.requestsPerSec * load.durationS;
    return { ...result, cpu: before && after ? cpuPerRequest(before, after, served) : "" };
  }
  const before = load.cpuMs?.();
  const result = await autocannon({ ...options, duration: load.durationS });
  const after = load.cpuMs?.();
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpu: before && after ? cpuPerRequest(before, after, result.requests.total) : "",
  };
}

/**
 * "CPU/req: bff 150 µs, catalog 40 µs": the CPU time each process used between two samples,
 * divided by the requests served, for the processes that used any.
 */
/**
 * The row of a run at an offered rate: its target is the latency at that rate, and a run that
 * could not keep up with the rate (served under 97 % of it) also misses the throughput.
 */
export function atRate(
  name: string,
  rate: number,
  result: { requestsPerSec: number; p50Ms: number; p99Ms: number; errors: number },
  p99Ms: number,
  note: string,
): BenchResult {
  const keptUp = result.requestsPerSec >= rate * 0.97;
  return {
    name,
    ...result,
    target: keptUp ? { p99Ms } : { requestsPerSec: rate, p99Ms },
    note: `${rate.toLocaleString("en-US")} req/s offered (open loop), ${keptUp ? "kept up" : "NOT kept up"}; ${note}`,
  };
}

export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): string {
  if (!(requests > 0)) return "";
  const parts = Object.keys(after)
    .map((name) => [name, ((after[name]! - (before[name] ?? Number.NaN)) * 1000) / requests] as const)
    .filter(([, us]) => Number.isFinite(us) && us >= 1)
    .sort(([, a], [, b]) => b - a)
    .map(([name, us]) => `${name} ${Math.round(us)} µs`);
  return parts.length > 0 ? `CPU/req: ${parts.join(", ")}` : "";
}
