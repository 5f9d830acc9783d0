import { describe, expect, it } from "vitest";
import { createMetrics } from "./index.ts";

describe("createMetrics", () => {
  it("includes the process's CPU, memory and event loop lag, labelled with the service", async () => {
    const metrics = createMetrics({ service: "probe" });
    // the event loop delay monitor needs a few of its samples before it reports a lag
    await new Promise((resolve) => setTimeout(resolve, 350));
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="probe"\} \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{service="probe"\} \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{service="probe"\} \d/m);
  });
});
