import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { findExecutable } from "./infra.ts";
import { natsProbe, postgresProbe, redisProbe } from "./probes.ts";
import { type ManagedProcess, spawnManaged } from "./processes.ts";

describe("infrastructure probes", () => {
  it("find the local PostgreSQL, NATS JetStream and Redis answering", async () => {
    expect(await postgresProbe("postgres://postgres@127.0.0.1:5432/shopmesh")()).toBeUndefined();
    expect(await natsProbe("nats://127.0.0.1:4222")()).toBeUndefined();
    expect(await redisProbe("redis://127.0.0.1:6379")()).toBeUndefined();
  });

  it("say why when nothing listens", async () => {
    const port = await freePort();
    expect(await postgresProbe(`postgres://postgres@127.0.0.1:${port}/shopmesh`)()).toMatch(/ECONNREFUSED/);
    expect(await natsProbe(`nats://127.0.0.1:${port}`)()).toMatch(/ECONNREFUSED/);
    expect(await redisProbe(`redis://127.0.0.1:${port}`)()).toMatch(/ECONNREFUSED/);
  });

  it.skipIf(!findExecutable("redis-server"))(
    "pass on what Redis says to a missing or wrong password",
    async () => {
      const port = await freePort();
      const server = spawnManaged({
        name: "redis",
        command: findExecutable("redis-server")!,
        args: ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--requirepass", "s3cret"],
      });
      try {
        const deadline = Date.now() + 10_000;
        while (
          !server.lastLines().some((line) => line.includes("Ready to accept")) &&
          Date.now() < deadline
        ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(await redisProbe(`redis://:s3cret@127.0.0.1:${port}`)()).toBeUndefined();
        expect(await redisProbe(`redis://:wrong@127.0.0.1:${port}`)()).toMatch(/^Redis replied -WRONGPASS/);
        expect(await redisProbe(`redis://127.0.0.1:${port}`)()).toMatch(/^Redis replied -NOAUTH/);
      } finally {
        await server.stop();
      }
    },
  );

  describe.skipIf(!findExecutable("nats-server"))("against a NATS server without JetStream", () => {
    let server: ManagedProcess;
    let port: number;
    let dir: string;
    beforeAll(async () => {
      port = await freePort();
      dir = mkdtempSync(join(tmpdir(), "shopmesh-nats-"));
      server = spawnManaged({
        name: "nats",
        command: findExecutable("nats-server")!,
        args: ["-a", "127.0.0.1", "-p", String(port)],
        logFile: join(dir, "nats.log"),
      });
      const deadline = Date.now() + 10_000;
      while (server.lastLines().every((line) => !line.includes("Server is ready")) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    afterAll(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("report that JetStream is off although the port is open", async () => {
      expect(await natsProbe(`nats://127.0.0.1:${port}`)()).toMatch(/JetStream is not enabled/);
    });
  });
});
