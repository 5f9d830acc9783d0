import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface ManagedProcessOptions {
  /** Shown in messages and log prefixes. */
  name: string;
  command: string;
  args?: readonly string[];
  /** The full environment of the child. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (postgres refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Called with every line the process writes, stdout and stderr alike. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Also append every line to this file. */
  logFile?: string;
  /** How many recent lines to keep for error messages (default 40). */
  keepLines?: number;
}

/** A child process with its recent output kept, and a bounded way to stop it. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves (never rejects) when the process has exited or failed to start. */
  readonly exited: Promise<ExitInfo>;
  /** The exit, once it happened. */
  readonly exit: ExitInfo | undefined;
  /** The last lines it wrote, oldest first. */
  lastLines(count?: number): string[];
  /** Sends `signal` (SIGTERM), waits `graceMs` (10 s), then SIGKILL; resolves once it exited. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ExitInfo>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a child in its own process group, so a Ctrl-C in the terminal reaches only the launcher,
 * which then stops everything in order (the BFF before the services it calls, the services before
 * the databases they use). Should the launcher itself die, its exit hook kills what is left.
 */
export function spawnManaged(options: ManagedProcessOptions): ManagedProcess {
  installExitHook();
  const keep = options.keepLines ?? 40;
  const lines: string[] = [];
  let log: WriteStream | undefined;
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: "a" });
  }
  const remember = (line: string, stream: "stdout" | "stderr") => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
    log?.write(`${line}\n`);
    options.onLine?.(line, stream);
  };

  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  running.add(child);
  for (const stream of ["stdout", "stderr"] as const) {
    const source = child[stream];
    if (source)
      createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) =>
        remember(line, stream),
      );
  }

  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const finish = (info: ExitInfo) => {
      if (exit) return;
      exit = info;
      running.delete(child);
      log?.end();
      resolve(info);
    };
    child.once("error", (error) => {
      remember(`failed to start ${options.command}: ${error.message}`, "stderr");
      finish({ code: null, signal: null, error });
    });
    // "close" rather than "exit": by then the last lines of output have been read
    child.once("close", (code, signal) => finish({ code, signal }));
  });

  return {
    name: options.name,
    pid: child.pid,
    exited,
    get exit() {
      return exit;
    },
    lastLines: (count = keep) => lines.slice(-count),
    async stop({ signal = "SIGTERM", graceMs = 10_000 } = {}) {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (!exit) {
          remember(`did not stop within ${graceMs} ms of ${signal}; killing it`, "stderr");
          child.kill("SIGKILL");
        }
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Describes an exit for people: "exited with code 1", "was killed by SIGKILL". */
export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not start (${info.error.message})`;
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${info.code}`;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}
