import { type ManagedProcess, spawnManaged } from "../start/processes.ts";

/**
 * Runs a benchmark server in its own process (so client and server do not share a CPU core's
 * event loop) and waits for its `ready <port>` line.
 */
export async function startServerProcess(options: {
  name: string;
  entry: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<{ process: ManagedProcess; port: number }> {
  let resolveReady: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => {
    resolveReady = resolve;
  });
  const child = spawnManaged({
    name: options.name,
    command: process.execPath,
    args: [options.entry],
    env: { ...process.env, ...options.env },
    onLine: (line) => {
      const match = /^ready (\d+)$/.exec(line);
      if (match) resolveReady(Number(match[1]));
    },
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    void child.exited.then((exit) => reject(new Error(`exited (code ${exit.code}, signal ${exit.signal})`)));
  });
  try {
    const port = await Promise.race([ready, failed]);
    return { process: child, port };
  } catch (error) {
    await child.stop({ graceMs: 2000 });
    const tail = child
      .lastLines(15)
      .map((line) => `    ${line}`)
      .join("\n");
    throw new Error(`${options.name} server ${(error as Error).message}:\n${tail}`);
  } finally {
    clearTimeout(timer);
  }
}
