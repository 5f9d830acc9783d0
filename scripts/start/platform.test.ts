import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import type { LaunchPlan } from "./plan.ts";
import { launchProcesses } from "./platform.ts";

const fake = fileURLToPath(new URL("./fixtures/fake-service.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

async function fakePlan(
  name: string,
  kind: "grpc" | "http",
  env: Record<string, string> = {},
): Promise<LaunchPlan> {
  const port = await freePort();
  return {
    name,
    kind,
    entry: fake,
    port,
    env: { FAKE_KIND: kind, PORT: String(port), IDENTITY_ADDRESS: "127.0.0.1:1", ...env },
    health:
      kind === "grpc"
        ? { kind: "grpc", address: `127.0.0.1:${port}` }
        : { kind: "http", url: `http://127.0.0.1:${port}/readyz` },
  };
}

describe("launchProcesses", () => {
  it("waits until a gRPC service reports SERVING and the BFF's /readyz answers", async () => {
    const plans = [
      await fakePlan("identity", "grpc", { FAKE_READY_AFTER_MS: "600" }),
      await fakePlan("bff", "http", { FAKE_READY_AFTER_MS: "300" }),
    ];
    const lines: string[] = [];
    const started = Date.now();
    const running = launchProcesses({
      plans,
      cwd: root,
      startTimeoutMs: 15_000,
      onLine: (name, line) => lines.push(`${name}: ${line}`),
    });
    await running.ready;
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(lines.some((line) => line.startsWith("identity:") && line.includes("listening"))).toBe(true);
    expect(lines.join("\n")).toContain('"IDENTITY_ADDRESS":"127.0.0.1:1"');
    await running.stop();
    expect(running.processes.map((child) => child.exit?.code)).toEqual([0, 0]);
  });

  it("probes the BFF only once the services answer", async () => {
    const plans = [
      await fakePlan("identity", "grpc", { FAKE_READY_AFTER_MS: "800" }),
      await fakePlan("bff", "http"),
    ];
    const records: { name: string; msg: string; time: number }[] = [];
    const running = launchProcesses({
      plans,
      cwd: root,
      startTimeoutMs: 15_000,
      onLine: (name, line) => {
        if (!line.startsWith("{")) return;
        const { msg, time } = JSON.parse(line) as { msg: string; time: string };
        records.push({ name, msg, time: Date.parse(time) });
      },
    });
    await running.ready;
    await running.stop();
    const serving = records.find((record) => record.name === "identity" && record.msg === "serving");
    const firstProbe = records.find((record) => record.name === "bff" && record.msg === "readyz probed");
    expect(serving).toBeDefined();
    expect(firstProbe).toBeDefined();
    expect(firstProbe!.time).toBeGreaterThanOrEqual(serving!.time);
  });

  it("fails at once when the BFF dies while the services are still starting", async () => {
    const plans = [
      await fakePlan("identity", "grpc", { FAKE_READY_AFTER_MS: "60000" }),
      await fakePlan("bff", "http", { FAKE_EXIT_AFTER_MS: "100" }),
    ];
    const running = launchProcesses({ plans, cwd: root, startTimeoutMs: 30_000, onLine: () => {} });
    const started = Date.now();
    await expect(running.ready).rejects.toThrow(/^bff exited with code 3 while starting/);
    expect(Date.now() - started).toBeLessThan(20_000);
    await running.stop();
  });

  it("stops the BFF before the services", async () => {
    const plans = [await fakePlan("identity", "grpc"), await fakePlan("bff", "http")];
    const order: string[] = [];
    const running = launchProcesses({ plans, cwd: root, startTimeoutMs: 15_000, onLine: () => {} });
    await running.ready;
    for (const child of running.processes) void child.exited.then(() => order.push(child.name));
    await running.stop();
    expect(order).toEqual(["bff", "identity"]);
  });

  it("fails naming the service that died while starting, with its last lines", async () => {
    const plans = [
      await fakePlan("identity", "grpc", { FAKE_READY_AFTER_MS: "60000", FAKE_EXIT_AFTER_MS: "200" }),
    ];
    const running = launchProcesses({ plans, cwd: root, startTimeoutMs: 15_000, onLine: () => {} });
    await expect(running.ready).rejects.toThrow(
      /identity exited with code 3 while starting; its last lines:[\s\S]*database went away/,
    );
  });

  it("fails naming the service that never became ready", async () => {
    const plans = [await fakePlan("identity", "grpc", { FAKE_READY_AFTER_MS: "60000" })];
    const running = launchProcesses({ plans, cwd: root, startTimeoutMs: 3000, onLine: () => {} });
    // the last reason is NOT_SERVING, or UNAVAILABLE on a machine too busy to start it in 3 s
    await expect(running.ready).rejects.toThrow(
      /^identity did not become ready within 3000 ms: (health status NOT_SERVING|health check failed)/,
    );
    await running.stop();
  });

  it("reports the first process that exits after start", async () => {
    const plans = [
      await fakePlan("identity", "grpc", { FAKE_EXIT_AFTER_MS: "500" }),
      await fakePlan("bff", "http"),
    ];
    const running = launchProcesses({ plans, cwd: root, startTimeoutMs: 15_000, onLine: () => {} });
    await running.ready;
    const { process: child, exit } = await running.firstExit;
    expect(child.name).toBe("identity");
    expect(exit.code).toBe(3);
    await running.stop();
    expect(running.processes.every((item) => item.exit)).toBe(true);
  });
});
