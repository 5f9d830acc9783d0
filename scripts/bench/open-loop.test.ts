import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { openLoop } from "./open-loop.ts";

describe("openLoop", () => {
  it("starts calls on schedule and times them from when they were due (no coordinated omission)", async () => {
    // one call at a time, 20 ms each, offered 100 per second: the server can do 50, so a queue builds
    let busy: Promise<void> = Promise.resolve();
    const serial = () => {
      const turn = busy.then(() => sleep(20));
      busy = turn;
      return turn;
    };
    const result = await openLoop(serial, { rate: 100, durationS: 0.5, warmupS: 0 });
    // 50 calls due over 0.5 s took about a second to serve: the last one waited ~0.5 s
    expect(result.p99Ms).toBeGreaterThan(350);
    expect(result.p50Ms).toBeGreaterThan(150);
    expect(result.requestsPerSec).toBeLessThan(75);
    expect(result.errors).toBe(0);

    // the same rate against calls that keep up: latency is the call's own
    const fast = await openLoop(() => sleep(5), { rate: 100, durationS: 0.5, warmupS: 0 });
    expect(fast.p99Ms).toBeLessThan(60);
    expect(fast.requestsPerSec).toBeGreaterThan(80);
  });

  it("counts failed calls and keeps the first error", async () => {
    let n = 0;
    const result = await openLoop(
      async () => {
        if (n++ % 2 === 0) throw new Error("declined");
      },
      { rate: 200, durationS: 0.2, warmupS: 0 },
    );
    expect(result.errors).toBeGreaterThan(10);
    expect(result.firstError).toBe("declined");
  });
});
