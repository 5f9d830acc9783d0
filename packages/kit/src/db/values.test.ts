import { describe, expect, it } from "vitest";
import { toBigInt, toDate } from "./values.ts";

describe("raw SQL values", () => {
  it("reads timestamps given as text or already as Dates", () => {
    const when = new Date("2026-11-22T10:00:00.123Z");
    expect(toDate("2026-11-22 11:00:00.123+01").toISOString()).toBe(when.toISOString());
    expect(toDate(when)).toBe(when);
  });

  it("reads bigints exactly, beyond what a number holds", () => {
    expect(toBigInt("9007199254740993")).toBe(9007199254740993n);
    expect(toBigInt(42n)).toBe(42n);
    expect(toBigInt(7)).toBe(7n);
  });
});
