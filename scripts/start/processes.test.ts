import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { describeExit, spawnManaged } from "./processes.ts";

const fake = fileURLToPath(new URL("./fixtures/fake-service.ts", import.meta.url));

async function startFake(env: Record<string, string>) {
  const port = await freePort();
  const lines: string[] = [];
  const child = spawnManaged({
    name: "fake",
    command: process.execPath,
    args: [fake],
    env: { ...process.env, FAKE_KIND: "http", PORT: String(port), ...env },
    onLine: (line) => lines.push(line),
  });
  await waitFor(() => lines.some((line) => line.includes("listening")));
  return { child, lines };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("spawnManaged", () => {
  it("stops a process with SIGTERM and reports a clean exit", async () => {
    const { child, lines } = await startFake({});
    const exit = await child.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines.at(-1)).toContain("stopping");
    expect(child.exit).toEqual(exit);
  });

  it("kills a process that ignores SIGTERM once the grace period is over", async () => {
    const { child } = await startFake({ FAKE_IGNORE_SIGTERM: "1" });
    const started = Date.now();
    const exit = await child.stop({ graceMs: 300 });
    expect(exit.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(child.lastLines().join("\n")).toContain("did not stop within 300 ms");
  });

  it("keeps the last lines of a process that crashed, stderr included", async () => {
    const { child } = await startFake({ FAKE_EXIT_AFTER_MS: "50" });
    const exit = await child.exited;
    expect(exit.code).toBe(3);
    expect(child.lastLines(1)).toEqual(["fake failure: the database went away"]);
    expect(describeExit(exit)).toBe("exited with code 3");
  });

  it("reports a command that cannot start instead of throwing", async () => {
    const child = spawnManaged({ name: "ghost", command: "/nonexistent/server" });
    const exit = await child.exited;
    expect(exit.error).toBeInstanceOf(Error);
    expect(describeExit(exit)).toContain("could not start");
    expect(child.lastLines().join("\n")).toContain("/nonexistent/server");
  });
});
