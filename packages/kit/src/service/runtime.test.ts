import { describe, expect, it } from "vitest";
import { createLifecycle } from "./lifecycle.ts";
import { createServiceRuntime } from "./runtime.ts";

/** A server and workers that write what happens to them into `events`. */
function setup(options: { failingStart?: string } = {}) {
  const events: string[] = [];
  const server = {
    async listen(port: number, host?: string) {
      events.push(`listen ${port} ${host}`);
      return port === 0 ? 4321 : port;
    },
    async shutdown(graceMs?: number) {
      events.push(`shutdown ${graceMs}`);
    },
  };
  const worker = (name: string) => ({
    async start() {
      if (options.failingStart === name) throw new Error(`${name} did not start`);
      events.push(`start ${name}`);
    },
    async stop() {
      events.push(`stop ${name}`);
    },
  });
  const lifecycle = createLifecycle();
  lifecycle.defer(() => events.push("close db"));
  lifecycle.defer(() => events.push("close nats"));
  const runtime = createServiceRuntime({
    server,
    lifecycle,
    workers: [worker("relay"), worker("sweeper"), { stop: async () => events.push("stop engine") }],
  });
  return { events, runtime };
}

describe("createServiceRuntime", () => {
  it("starts the workers in order, then serves", async () => {
    const { events, runtime } = setup();
    expect(await runtime.listen(0)).toBe(4321);
    expect(events).toEqual(["start relay", "start sweeper", "listen 0 0.0.0.0"]);
  });

  it("drains the server, stops the workers in reverse, then closes NATS and the database", async () => {
    const { events, runtime } = setup();
    await runtime.listen(50053, "127.0.0.1");
    events.length = 0;
    await runtime.close(250);
    expect(events).toEqual([
      "shutdown 250",
      "stop engine",
      "stop sweeper",
      "stop relay",
      "close nats",
      "close db",
    ]);
  });

  it("closes once, however often close is called", async () => {
    const { events, runtime } = setup();
    await runtime.listen(0);
    events.length = 0;
    const first = runtime.close();
    expect(runtime.close()).toBe(first);
    await first;
    expect(events.filter((event) => event.startsWith("shutdown"))).toEqual(["shutdown 10000"]);
    expect(events.filter((event) => event === "close db")).toHaveLength(1);
  });

  it("stops only the workers that started when a start fails", async () => {
    const { events, runtime } = setup({ failingStart: "sweeper" });
    await expect(runtime.listen(0)).rejects.toThrow("sweeper did not start");
    events.length = 0;
    await runtime.close();
    expect(events).toEqual(["shutdown 10000", "stop relay", "close nats", "close db"]);
  });
});
