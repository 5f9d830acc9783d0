import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLaunchConfig } from "./config.ts";
import { freePort } from "./free-port.ts";
import { ensureInfrastructure, findExecutable, InfrastructureError } from "./infra.ts";
import { natsProbe, postgresProbe, redisProbe } from "./probes.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const quiet = () => {};

describe("ensureInfrastructure", () => {
  it("uses the servers that answer and leaves them running on stop", async () => {
    const infrastructure = await ensureInfrastructure(loadLaunchConfig({}), { root, log: quiet });
    expect(infrastructure.summary.map((item) => `${item.label} ${item.address} ${item.note}`)).toEqual([
      "PostgreSQL 127.0.0.1:5432 already running",
      "NATS JetStream 127.0.0.1:4222 already running",
      "Redis 127.0.0.1:6379 already running",
    ]);
    await infrastructure.stop();
    expect(await redisProbe("redis://127.0.0.1:6379")()).toBeUndefined();
  });

  it("fails naming a remote server that does not answer, without starting anything", async () => {
    const config = loadLaunchConfig({ REDIS_URL: "redis://cache.shopmesh.invalid:6379" });
    const failure = ensureInfrastructure(config, { root, log: quiet });
    await expect(failure).rejects.toBeInstanceOf(InfrastructureError);
    await expect(failure).rejects.toThrow(/Redis at cache\.shopmesh\.invalid:6379 does not answer/);
  });

  it.skipIf(!findExecutable("nats-server") || !findExecutable("redis-server"))(
    "starts local PostgreSQL, NATS JetStream and Redis where nothing answers, and stops them",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "shopmesh-infra-"));
      // as root, PostgreSQL runs as the postgres user, which must be able to enter the folder
      chmodSync(dataDir, 0o755);
      const [pg, nats, redis] = [await freePort(), await freePort(), await freePort()];
      const config = loadLaunchConfig({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${pg}/shopmesh`,
        NATS_URL: `nats://127.0.0.1:${nats}`,
        REDIS_URL: `redis://127.0.0.1:${redis}`,
        SHOPMESH_DATA_DIR: dataDir,
      });
      const messages: string[] = [];
      try {
        const infrastructure = await ensureInfrastructure(config, {
          root,
          log: (message) => messages.push(message),
        });
        expect(infrastructure.summary.map((item) => item.note)).toEqual([
          `started by npm start, log ${join(dataDir, "logs", "postgres.log")}`,
          `started by npm start, log ${join(dataDir, "logs", "nats.log")}`,
          `started by npm start, log ${join(dataDir, "logs", "redis.log")}`,
        ]);
        expect(messages).toHaveLength(3);
        expect(await postgresProbe(config.databaseUrl)()).toBeUndefined();
        expect(await natsProbe(config.natsUrl)()).toBeUndefined();
        expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
        await infrastructure.stop();
        expect(await postgresProbe(config.databaseUrl)()).toMatch(/ECONNREFUSED/);
        expect(await natsProbe(config.natsUrl)()).toMatch(/ECONNREFUSED/);
        expect(await redisProbe(config.redisUrl)()).toMatch(/ECONNREFUSED/);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
