import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log/index.ts";
import { createPeriodicTask } from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });

describe("createPeriodicTask", () => {
  it("never runs twice at once: a run asked for during another waits for it", async () => {
    let active = 0;
    let most = 0;
    const task = createPeriodicTask({
      intervalMs: 0,
      logger,
      done: "done",
      failed: "failed",
      async run(n: number) {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        return n;
      },
    });
    expect(await Promise.all([task.run(1), task.run(2), task.run(3)])).toEqual([1, 2, 3]);
    expect(most).toBe(1);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps running on its interval after a failed run, until stopped", async () => {
    vi.useFakeTimers();
    let runs = 0;
    const task = createPeriodicTask({
      intervalMs: 1000,
      logger,
      done: "done",
      failed: "failed",
      async run() {
        runs += 1;
        if (runs === 1) throw new Error("first run fails");
        return 1;
      },
    });
    task.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(2001);
    expect(runs).toBe(3);
    await task.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
  });
});
