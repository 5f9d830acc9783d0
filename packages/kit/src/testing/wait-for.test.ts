import { describe, expect, it } from "vitest";
import { testPrefix } from "./random.ts";
import { waitFor } from "./wait-for.ts";

describe("waitFor", () => {
  it("resolves with the first truthy value", async () => {
    let calls = 0;
    const value = await waitFor(() => ++calls >= 3 && { calls }, { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it("fails after the timeout naming what it waited for and the last error", async () => {
    await expect(
      waitFor(
        () => {
          throw new Error("not yet");
        },
        { timeoutMs: 30, intervalMs: 5, message: "the thing" },
      ),
    ).rejects.toThrow("waitFor: the thing not met within 30 ms: last error not yet");
  });
});

describe("testPrefix", () => {
  it("is a valid EVENTS_PREFIX that differs per call", () => {
    const a = testPrefix();
    expect(a).toMatch(/^t[a-z0-9]{7}$/);
    expect(testPrefix()).not.toBe(a);
  });
});
