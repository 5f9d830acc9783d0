/**
 * npm start: the whole platform on localhost (ARCHITECTURE.md section 9). Uses PostgreSQL, NATS
 * JetStream and Redis where they answer and starts local ones where they do not, starts every
 * service and the BFF, waits for their health, prints the URLs and the demo admin login, and shuts
 * everything down in order on Ctrl-C.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@shopmesh/kit/config";
import { seedOnStart } from "./seed/on-start.ts";
import { formatBanner } from "./start/banner.ts";
import { loadLaunchConfig } from "./start/config.ts";
import { ensureInfrastructure, type Infrastructure, InfrastructureError } from "./start/infra.ts";
import { createLineFormatter } from "./start/log-format.ts";
import { type MailSink, startMailSink } from "./start/mail-sink.ts";
import { planLaunch } from "./start/plan.ts";
import { launchProcesses, ProcessFailure, type RunningProcesses } from "./start/platform.ts";
import { describeExit } from "./start/processes.ts";
import { REGISTRY } from "./start/registry.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

let infrastructure: Promise<Infrastructure> | undefined;
let running: RunningProcesses | undefined;
let mailSink: MailSink | undefined;
let stopping = false;
let say: (message: string) => void = (message) => console.log(message);

/** Stops the processes, then the infrastructure this launcher started, then exits with `code`. */
async function shutdown(code: number, message?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (message) (code === 0 ? console.log : console.error)(`\n${message}\n`);
  say("stopping");
  await running?.stop();
  await mailSink?.stop();
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
    names: ["shopmesh", "mail", ...plans.map((plan) => plan.name)],
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
  if (config.mail.sinkPort !== undefined) {
    const dir = join(config.dataDir, "mail");
    mailSink = await startMailSink({
      port: config.mail.sinkPort,
      dir,
      log: (line) => console.log(format("mail", line)),
    }).catch((error: unknown) => {
      throw new Error(
        `cannot open the development mailbox on port ${config.mail.sinkPort} (${(error as Error).message}); ` +
          "set SHOPMESH_MAIL_PORT to a free port or SMTP_URL to a mail server",
      );
    });
    summary.push({ label: "Mail", address: mailSink.url, note: `kept as .eml files in ${dir}` });
  }

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
