/**
 * npm start: the whole platform on localhost (ARCHITECTURE.md section 9). Uses PostgreSQL, NATS
 * JetStream and Redis where they answer and starts local ones where they do not, starts every
 * service and the BFF, waits for their health, prints the URLs and the demo admin login, and shuts
 * everything down in order on Ctrl-C.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@shopmesh/kit/config";
import { seedOnStart } from "./seed/on-start.ts";
import { formatBanner } from "./start/banner.ts";
import { loadLaunchConfig } from "./start/config.ts";
import { ensureInfrastructure, type Infrastructure, InfrastructureError } from "./start/infra.ts";
import { createLineFormatter } from "./start/log-format.ts";
import { planLaunch } from "./start/plan.ts";
import { launchProcesses, ProcessFailure, type RunningProcesses } from "./start/platform.ts";
import { describeExit } from "./start/processes.ts";
import { REGISTRY } from "./start/registry.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

let infrastructure: Promise<Infrastructure> | undefined;
let running: RunningProcesses | undefined;
let stopping = false;
let say: (message: string) => void = (message) => console.log(message);

/** Stops the processes, then the infrastructure this launcher started, then exits with `code`. */
async function shutdown(code: number, message?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (message) (code === 0 ? console.log : console.error)(`\n${message}\n`);
  say("stopping");
  await running?.stop();
  const started = await infrastructure?.catch(() => undefined);
  await started?.stop();
  say("stopped");
  process.exit(code);
}

function explain(error: unknown): string {
  const known =
    error instanceof ConfigError || error instanceof InfrastructureError || error instanceof ProcessFailure;
  return known
    ? `npm start: ${(error as Error).message}`
    : `npm start failed: ${(error as Error)?.stack ?? String(error)}`;
}

async function main(): Promise<void> {
  const config = loadLaunchConfig();
  const plans = planLaunch(REGISTRY, config, { root, exists: existsSync });
  if (plans.length === 0) throw new Error("nothing to start: no folder of the registry exists");
  const format = createLineFormatter({
    names: ["shopmesh", ...plans.map((plan) => plan.name)],
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  });
  say = (message) => console.log(format("shopmesh", message));

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) {
        // a second Ctrl-C: stop waiting; the exit hook kills whatever still runs
        console.error("forced exit");
        process.exit(130);
      }
      void shutdown(0, `${signal} received`);
    });
  }

  say(`starting ${plans.map((plan) => plan.name).join(", ")}`);
  infrastructure = ensureInfrastructure(config, { root, log: say });
  const { summary } = await infrastructure;
  if (stopping) return;

  running = launchProcesses({
    plans,
    cwd: root,
    startTimeoutMs: config.startTimeoutMs,
    onLine: (name, line) => console.log(format(name, line)),
  });
  await running.ready;
  if (stopping) return;
  await seedOnStart({ plans, admin: config.admin, log: say });
  if (stopping) return;
  console.log(formatBanner(plans, config, summary));

  const { process: child, exit } = await running.firstExit;
  const tail = child
    .lastLines(20)
    .map((line) => `    ${line}`)
    .join("\n");
  await shutdown(
    1,
    `${child.name} ${describeExit(exit)} unexpectedly; stopping everything. Its last lines:\n${tail}`,
  );
}

main().catch((error: unknown) => shutdown(error instanceof ConfigError ? 2 : 1, explain(error)));
