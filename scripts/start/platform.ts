import { createReadinessProbe, NotReadyError, waitUntilReady } from "./health.ts";
import type { LaunchPlan } from "./plan.ts";
import { describeExit, type ExitInfo, type ManagedProcess, spawnManaged } from "./processes.ts";

export interface LaunchOptions {
  plans: readonly LaunchPlan[];
  /** Working directory of every process (the repository root). */
  cwd: string;
  /** How long all processes together may take to become ready. */
  startTimeoutMs: number;
  /** Receives every line the processes write. */
  onLine: (name: string, line: string) => void;
  /** Grace period between SIGTERM and SIGKILL when stopping (default 15 s). */
  stopGraceMs?: number;
  /** Options for every process's Node before its entry (e.g. --cpu-prof for the bench's profiles). */
  nodeArgs?: readonly string[];
}

/** The processes of the platform, running. */
export interface RunningProcesses {
  readonly processes: readonly ManagedProcess[];
  /** Resolves when every process is ready; rejects naming the first that died or stayed unready. */
  readonly ready: Promise<void>;
  /** Resolves with the first process that exits, whenever that happens (also during stop()). */
  readonly firstExit: Promise<{ process: ManagedProcess; exit: ExitInfo }>;
  /** Stops the BFF first, then the services, each with SIGTERM and a bounded wait. */
  stop(): Promise<void>;
}

/** A failure to start or keep running, with the process's last lines in the message. */
export class ProcessFailure extends Error {
  override name = "ProcessFailure";
}

/** Starts every planned process with this Node (`process.execPath`) and watches its health. */
export function launchProcesses(options: LaunchOptions): RunningProcesses {
  const started = options.plans.map((plan) => ({
    plan,
    process: spawnManaged({
      name: plan.name,
      command: process.execPath,
      args: [...(options.nodeArgs ?? []), plan.entry],
      cwd: options.cwd,
      env: { ...process.env, ...plan.env },
      onLine: (line) => options.onLine(plan.name, line),
    }),
  }));

  const deadline = Date.now() + options.startTimeoutMs;
  const waitReady = async ({ plan, process }: (typeof started)[number]) => {
    const probe = createReadinessProbe(plan.health);
    const died = new AbortController();
    void process.exited.then(() => died.abort());
    try {
      await waitUntilReady(probe, { timeoutMs: Math.max(0, deadline - Date.now()), signal: died.signal });
    } catch (error) {
      if (process.exit) throw failure(process, `${describeExit(process.exit)} while starting`);
      const reason = error instanceof NotReadyError ? error.reason : (error as Error).message;
      throw failure(process, `did not become ready within ${options.startTimeoutMs} ms: ${reason}`);
    } finally {
      probe.close();
    }
  };
  const stage = (kind: LaunchPlan["kind"]) =>
    Promise.all(started.filter(({ plan }) => plan.kind === kind).map(waitReady));
  // any process dying while the platform starts fails the start at once, whatever stage it is in
  const anyDied = Promise.race(
    started.map(({ process }) =>
      process.exited.then((exit) => {
        throw failure(process, `${describeExit(exit)} while starting`);
      }),
    ),
  );
  anyDied.catch(() => {});
  // the services first: the BFF is only ready once the services it calls answer
  const ready = Promise.race([stage("grpc").then(() => stage("http")), anyDied]).then(() => undefined);
  // a rejection nobody awaited yet must not crash the launcher before it looks
  ready.catch(() => {});

  const firstExit = Promise.race(
    started.map(({ process }) => process.exited.then((exit) => ({ process, exit }))),
  );

  return {
    processes: started.map(({ process }) => process),
    ready,
    firstExit,
    async stop() {
      const graceMs = options.stopGraceMs ?? 15_000;
      // the BFF first, so no new request reaches a service that is going away
      for (const kind of ["http", "grpc"] as const) {
        await Promise.all(
          started.filter(({ plan }) => plan.kind === kind).map(({ process }) => process.stop({ graceMs })),
        );
      }
    },
  };
}

/** "identity exited with code 1 while starting; its last lines: ..." */
export function failure(process: ManagedProcess, what: string): ProcessFailure {
  const lines = process.lastLines(20);
  const tail = lines.length > 0 ? `; its last lines:\n${lines.map((line) => `    ${line}`).join("\n")}` : "";
  return new ProcessFailure(`${process.name} ${what}${tail}`);
}
