import { describe, expect, it } from "vitest";
import { isCountryCode } from "./countries.ts";

describe("isCountryCode", () => {
  it("knows assigned ISO 3166-1 alpha-2 codes in upper case", () => {
    for (const code of ["DE", "US", "GB", "JP", "BR", "ZA", "AX", "XK"])
      expect(isCountryCode(code)).toBe(true);
  });

  it("refuses unassigned, reserved and lower-case codes", () => {
    for (const code of ["XX", "UK", "EU", "de", "DEU", ""]) expect(isCountryCode(code)).toBe(false);
  });
});
