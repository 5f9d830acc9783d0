/**
 * npm run bench [-- scenario...]: runs the benchmark scenarios one after another on this machine,
 * prints a table with each figure beside its target, and writes bench-results/latest.json.
 *   BENCH_DURATION_S   seconds per measurement (default 5)
 *   BENCH_CONNECTIONS  connections / calls in flight (default 50)
 *   BENCH_CPU_PROFILE  a folder: the started services write V8 CPU profiles there
 *   BENCH_CHECKOUT_RATE  checkouts per second offered in checkout-at-rate (default: the target
 *                      300 when the saturated run reached it, else 70 % of what it reached)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTable, meetsTarget, type ReportRow } from "./report.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import type { BenchContext } from "./types.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
    return 2;
  }
  const scenarios = wanted.length > 0 ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  const context: BenchContext = {
    root,
    durationS: positiveInt("BENCH_DURATION_S", 5),
    connections: positiveInt("BENCH_CONNECTIONS", 50),
    ...(process.env.BENCH_CHECKOUT_RATE ? { checkoutRate: positiveInt("BENCH_CHECKOUT_RATE", 1) } : {}),
    log: (message) => console.log(`  ${message}`),
  };

  const [load] = loadavg();
  if (load !== undefined && load > availableParallelism() / 2) {
    console.warn(
      `the machine is busy (load average ${load.toFixed(1)} on ${availableParallelism()} cores): figures will read low\n`,
    );
  }
  const rows: ReportRow[] = [];
  for (const scenario of scenarios) {
    console.log(`${scenario.name}: ${scenario.description}`);
    try {
      rows.push(...(await scenario.run(context)));
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      console.error(`  ${scenario.name} failed: ${message}`);
      rows.push({ name: scenario.name, error: message });
    }
  }

  console.log(`\n${formatTable(rows)}\n`);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cpus: availableParallelism(),
    memoryMb: Math.round(totalmem() / 2 ** 20),
    loadAverageAtStart: load,
    durationS: context.durationS,
    connections: context.connections,
    results: rows.map((row) => ("error" in row ? row : { ...row, met: meetsTarget(row) })),
  };
  const folder = join(root, "bench-results");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to bench-results/latest.json`);
  return rows.some((row) => "error" in row) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
