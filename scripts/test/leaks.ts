/**
 * node scripts/test/leaks.ts [--delete] [--wait-seconds N]
 *
 * Lists what tests left on the shared servers: JetStream streams of test prefixes
 * (`T<7 letters or digits>_<CONTEXT>`), Redis keys whose first segment is a test prefix, and
 * `shopmesh_test_*` databases. With --delete it removes them, but only once no other vitest
 * process runs (it waits up to --wait-seconds, default 600, then only reports and exits 2):
 * deleting a live test's data would break it. Exits 0 otherwise.
 */
import {
  countLeftovers,
  deleteLeftovers,
  describeLeftovers,
  type Leftovers,
  listLeftovers,
  otherVitestProcesses,
} from "./leftovers.ts";

function waitSeconds(args: string[]): number {
  const at = args.indexOf("--wait-seconds");
  if (at < 0) return 600;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error("--wait-seconds must be a whole number ≥ 0");
  return value;
}

function summary(leftovers: Leftovers): string {
  const n = countLeftovers(leftovers);
  return `${n.streams} streams, ${n.keys} Redis keys under ${n.prefixes} prefixes, ${n.databases} databases`;
}

async function waitForNoVitest(seconds: number): Promise<string[]> {
  const deadline = Date.now() + seconds * 1000;
  let running = otherVitestProcesses();
  while (running.length > 0 && Date.now() < deadline) {
    console.error(`waiting: ${running.length} vitest process(es) running, e.g. ${running[0]!.slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, Math.max(0, deadline - Date.now()))));
    running = otherVitestProcesses();
  }
  return running;
}

async function main(args: string[]): Promise<number> {
  const remove = args.includes("--delete");
  const wait = waitSeconds(args);
  if (remove) {
    const running = await waitForNoVitest(wait);
    if (running.length > 0) {
      console.error(`not deleting: vitest still runs after ${wait} s:\n  ${running.join("\n  ")}`);
      const leftovers = await listLeftovers();
      for (const line of describeLeftovers(leftovers)) console.log(line);
      console.log(`leftovers: ${summary(leftovers)} (nothing deleted)`);
      return 2;
    }
  }
  const leftovers = await listLeftovers();
  for (const line of describeLeftovers(leftovers)) console.log(line);
  console.log(`leftovers: ${summary(leftovers)}`);
  if (!remove) return 0;
  // A run may have started while listing: its names are not in the list, but check once more.
  const started = otherVitestProcesses();
  if (started.length > 0) {
    console.error(`not deleting: vitest started meanwhile:\n  ${started.join("\n  ")}`);
    return 2;
  }
  await deleteLeftovers(leftovers);
  console.log(`deleted: ${summary(leftovers)}; still there: ${summary(await listLeftovers())}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
