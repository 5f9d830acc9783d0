import { describe, expect, it } from "vitest";
import { checkDisplayName, checkLocale, normalizeDisplayName, normalizeLocale } from "./profile.ts";

describe("display name", () => {
  it("is trimmed with inner whitespace collapsed", () => {
    expect(normalizeDisplayName("  Ann \t  Lee ")).toBe("Ann Lee");
  });

  it("must be 1 to 100 characters", () => {
    expect(checkDisplayName("")).toEqual([{ field: "displayName", description: "is required" }]);
    expect(checkDisplayName("é".repeat(100))).toEqual([]);
    expect(checkDisplayName("x".repeat(101))[0]?.description).toContain("100");
  });

  it("refuses control characters and bidi overrides but keeps emoji sequences", () => {
    expect(checkDisplayName("Ann\u0000")).toHaveLength(1);
    expect(checkDisplayName("Ann\u202Egnp.exe")).toHaveLength(1);
    expect(checkDisplayName("Family 👨‍👩‍👧")).toEqual([]);
  });
});

describe("locale", () => {
  it("canonicalises BCP 47 tags and keeps empty for the default", () => {
    expect(normalizeLocale("de-ch")).toBe("de-CH");
    expect(normalizeLocale("EN")).toBe("en");
    expect(normalizeLocale("zh-hant-tw")).toBe("zh-Hant-TW");
    expect(normalizeLocale("")).toBe("");
  });

  it("rejects what is not a language tag", () => {
    expect(normalizeLocale("english")).toBeUndefined();
    expect(normalizeLocale("de_CH")).toBeUndefined();
    expect(normalizeLocale("e")).toBeUndefined();
    expect(checkLocale("de_CH", "user.locale")).toEqual([
      { field: "user.locale", description: expect.stringContaining("BCP 47") },
    ]);
  });
});
