import { describe, expect, it } from "vitest";
import { describeTarget, formatTable, meetsTarget } from "./report.ts";

describe("meetsTarget", () => {
  it("checks throughput and p99 against the target", () => {
    const result = { name: "x", requestsPerSec: 6500, p50Ms: 3, p99Ms: 12 };
    expect(meetsTarget({ ...result, target: { requestsPerSec: 6000 } })).toBe(true);
    expect(meetsTarget({ ...result, target: { requestsPerSec: 7000 } })).toBe(false);
    expect(meetsTarget({ ...result, target: { requestsPerSec: 6000, p99Ms: 10 } })).toBe(false);
    expect(meetsTarget(result)).toBeUndefined();
  });

  it("never counts an unmeasured figure as met", () => {
    expect(
      meetsTarget({
        name: "x",
        requestsPerSec: Number.NaN,
        p50Ms: 1,
        p99Ms: 1,
        target: { requestsPerSec: 1 },
      }),
    ).toBe(false);
  });
});

describe("formatTable", () => {
  it("prints each figure with its target and verdict, and failures with their reason", () => {
    const table = formatTable([
      { name: "hono-baseline", requestsPerSec: 41234.4, p50Ms: 1, p99Ms: 3.456, note: "baseline" },
      {
        name: "rpc-unary",
        requestsPerSec: 5000,
        p50Ms: 9.5,
        p99Ms: 20,
        errors: 2,
        target: { requestsPerSec: 6000 },
      },
      { name: "bff-me", error: "needs identity and bff, not present in this tree\nmore detail" },
    ]);
    const [header, , baseline, rpc, me] = table.split("\n");
    expect(header).toMatch(/^scenario\s+req\/s\s+p50 ms\s+p99 ms\s+errors\s+target/);
    expect(baseline).toMatch(/^hono-baseline\s+41,234\s+1\.00\s+3\.46\s+0\s+baseline$/);
    expect(rpc).toMatch(/^rpc-unary\s+5,000\s+9\.50\s+20\.0\s+2\s+>= 6,000\/s\s+MISSED/);
    expect(me).toMatch(/^bff-me\s+-.*FAILED\s+needs identity and bff, not present in this tree$/);
  });

  it("describes both parts of a target", () => {
    expect(describeTarget({ requestsPerSec: 5000, p99Ms: 10 })).toBe(">= 5,000/s, p99 <= 10 ms");
    expect(describeTarget(undefined)).toBe("");
  });
});
