import { describe, expect, it } from "vitest";
import { isTrackingNumber, newTrackingNumber } from "./tracking-number.ts";

describe("newTrackingNumber", () => {
  it("is the carrier's prefix and 12 base32 characters", () => {
    const number = newTrackingNumber("SIM");
    expect(number).toMatch(/^SIM[A-Z2-7]{12}$/);
    expect(isTrackingNumber(number, "SIM")).toBe(true);
  });

  it("does not repeat (60 random bits)", () => {
    const numbers = new Set(Array.from({ length: 10_000 }, () => newTrackingNumber("SIM")));
    expect(numbers.size).toBe(10_000);
  });

  it("uses the whole alphabet at every position", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) seen.add(newTrackingNumber("")[5]!);
    expect(seen.size).toBe(32);
  });
});

describe("isTrackingNumber", () => {
  it("refuses other prefixes, lengths and characters", () => {
    expect(isTrackingNumber("DHLABCDEFGHIJKL", "SIM")).toBe(false);
    expect(isTrackingNumber("SIMABCDEFGHIJK", "SIM")).toBe(false);
    expect(isTrackingNumber("SIMABCDEFGHIJK1", "SIM")).toBe(false);
    expect(isTrackingNumber("SIMabcdefghijkl", "SIM")).toBe(false);
  });
});
