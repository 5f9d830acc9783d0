import { describe, expect, it } from "vitest";
import { mapBounded } from "./pool.ts";

describe("mapBounded", () => {
  it("keeps at most `concurrency` calls in flight and returns results in item order", async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0, 2], 3, async (value) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, value));
      inFlight--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 20]);
    expect(peak).toBe(3);
  });

  it("stops starting calls after the first failure and rejects with it", async () => {
    const started: number[] = [];
    const outcome = mapBounded([1, 2, 3, 4, 5, 6], 2, async (value) => {
      started.push(value);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (value === 2) throw new Error("boom at 2");
      return value;
    });
    await expect(outcome).rejects.toThrow("boom at 2");
    expect(started.length).toBeLessThan(6);
  });

  it("rejects a concurrency below 1", async () => {
    await expect(mapBounded([1], 0, async (v) => v)).rejects.toThrow(/concurrency/);
  });
});
