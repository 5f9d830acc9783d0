import { describe, expect, it } from "vitest";
import { coldQueries, HOT_QUERIES } from "./search.ts";

describe("coldQueries", () => {
  it("gives more distinct queries than the uncached runs send, the same on every run, none of them hot", () => {
    const queries = coldQueries();
    // a saturated run (up to ~2,000/s for 9 s) and a run at 1,000/s (10 s) take them in turn
    expect(queries.length).toBeGreaterThan(30_000);
    expect(new Set(queries).size).toBe(queries.length);
    expect(coldQueries()).toEqual(queries);
    expect(coldQueries(100)).toHaveLength(100);
    const hot = new Set(HOT_QUERIES);
    expect(queries.some((query) => hot.has(query))).toBe(false);
  });
});
