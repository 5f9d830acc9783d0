import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createRedis } from "@shopmesh/kit/redis";

/** What a benchmark leaves on the shared servers, and the processes it measures. */

/** Removes the JetStream streams a benchmark's services created under their prefix. */
export async function deleteBenchStreams(natsUrl: string, prefix: string): Promise<void> {
  const connection = await connect({ servers: natsUrl, timeout: 2000 });
  try {
    const manager = await jetstreamManager(connection);
    for await (const stream of manager.streams.list()) {
      const name = stream.config.name;
      const subjects = stream.config.subjects ?? [];
      if (
        name.toLowerCase().startsWith(prefix) ||
        subjects.some((subject) => subject.startsWith(`${prefix}.`))
      ) {
        await manager.streams.delete(name);
      }
    }
  } finally {
    await connection.close();
  }
}

/** Deletes every Redis key under `prefix` (SCAN, never KEYS). */
export async function deleteBenchKeys(
  prefix: string,
  url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
) {
  const redis = createRedis({ url });
  if (redis.status !== "ready") await once(redis, "ready");
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
const CLOCK_TICKS_PER_S = 100;

/** CPU time a process used (utime + stime from /proc, Linux), in ms; NaN when unreadable. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time (ms) of the shared servers the platform runs on, by program: every process whose
 * command is one of `names` (PostgreSQL's backends, nats-server, redis-server), summed. Backends
 * that end between two samples take their time with them, so compare samples of one run only.
 */
export function serverCpuMs(names: readonly string[] = ["postgres", "nats-server", "redis-server"]) {
  const totals: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (command in totals) {
      const ms = processCpuMs(Number(entry));
      if (Number.isFinite(ms)) totals[command]! += ms;
    }
  }
  return totals;
}

/** CPU time (ms) of this process, the benchmark's load generator (all its threads). */
export function loadGeneratorCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
