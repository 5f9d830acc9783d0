import { describe, expect, it } from "vitest";
import { createRecentKeys } from "./index.ts";

describe("createRecentKeys", () => {
  it("admits a key from its second request, forgetting the least recently asked when full", () => {
    const recent = createRecentKeys(2);
    expect(recent.askedBefore("a")).toBe(false);
    expect(recent.askedBefore("a")).toBe(true);
    expect(recent.askedBefore("b")).toBe(false);
    expect(recent.askedBefore("a")).toBe(true); // a is now the most recent
    expect(recent.askedBefore("c")).toBe(false); // full: b goes
    expect(recent.askedBefore("b")).toBe(false);
    expect(recent.askedBefore("a")).toBe(false); // c, b came after it
  });

  it("admits everything with no capacity, and refuses a bad one", () => {
    expect(createRecentKeys(0).askedBefore("x")).toBe(true);
    expect(() => createRecentKeys(-1)).toThrow(/capacity/);
  });
});
