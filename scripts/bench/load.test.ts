import { describe, expect, it } from "vitest";
import { closedLoop, percentile } from "./load.ts";

describe("percentile", () => {
  it("takes the nearest rank of a sorted sample", () => {
    const sample = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sample, 50)).toBe(50);
    expect(percentile(sample, 99)).toBe(99);
    expect(percentile(sample, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it("is NaN for an empty sample rather than a made-up zero", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("closedLoop", () => {
  it("keeps exactly the requested number of calls in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await closedLoop(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
      },
      { concurrency: 8, durationMs: 200 },
    );
    expect(peak).toBe(8);
    expect(result.calls).toBeGreaterThan(8);
    expect(result.errors).toBe(0);
    expect(result.p50Ms).toBeGreaterThanOrEqual(4);
  });

  it("counts failed calls as errors, not as throughput", async () => {
    let count = 0;
    const result = await closedLoop(
      async () => {
        count++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (count % 2 === 0) throw new Error("unavailable");
      },
      { concurrency: 2, durationMs: 100 },
    );
    expect(result.errors).toBeGreaterThan(0);
    expect(result.calls + result.errors).toBe(count);
  });
});
