import { describe, expect, it } from "vitest";
import { coldQueries, HOT_QUERIES } from "./search.ts";

describe("coldQueries", () => {
  it("gives 10,000 distinct queries, the same ones on every run, none of them a hot query", () => {
    const queries = coldQueries(10_000);
    expect(queries).toHaveLength(10_000);
    expect(new Set(queries).size).toBe(10_000);
    expect(coldQueries(10_000)).toEqual(queries);
    const hot = new Set(HOT_QUERIES);
    expect(queries.some((query) => hot.has(query))).toBe(false);
  });
});
