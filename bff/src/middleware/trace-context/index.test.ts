import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { json } from "../../../test/support/http.ts";
import { parseTraceparent, traceContext } from "./index.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

function createTestApp() {
  const app = new Hono();
  app.use(traceContext());
  app.get("/", (c) => c.json(c.get("trace")));
  return app;
}

async function traceOf(headers: Record<string, string> = {}) {
  return json(await createTestApp().request("/", { headers }));
}

describe("trace-context", () => {
  it("continues the caller's trace under a new span of its own", async () => {
    const trace = await traceOf({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: "vendor=abc" });
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.parentSpanId).toBe(PARENT_ID);
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT_ID);
    expect(trace.traceparent).toBe(`00-${TRACE_ID}-${trace.spanId}-01`);
    expect(trace.tracestate).toBe("vendor=abc");
  });

  it("keeps the caller's not-sampled decision", async () => {
    const trace = await traceOf({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` });
    expect(trace.sampled).toBe(false);
    expect(trace.traceparent.endsWith("-00")).toBe(true);
  });

  it("starts a new sampled trace when there is no traceparent", async () => {
    const trace = await traceOf();
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parentSpanId).toBeUndefined();
    expect(trace.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("starts a new trace, ignoring tracestate, when the traceparent is invalid", async () => {
    const invalid = [
      `00-${"0".repeat(32)}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${"0".repeat(16)}-01`,
      `ff-${TRACE_ID}-${PARENT_ID}-01`,
      `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
      "garbage",
    ];
    for (const traceparent of invalid) {
      const trace = await traceOf({ traceparent, tracestate: "vendor=abc" });
      expect(trace.traceId).not.toBe(TRACE_ID);
      expect(trace.tracestate).toBeUndefined();
    }
  });

  it("accepts a later version with extra fields", () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-03-future`)).toEqual({
      traceId: TRACE_ID,
      parentSpanId: PARENT_ID,
      sampled: true,
    });
  });
});
