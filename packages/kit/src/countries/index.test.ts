import { describe, expect, it } from "vitest";
import { checkCountryCode, isCountryCode } from "./index.ts";

describe("country codes", () => {
  it("knows assigned ISO 3166-1 alpha-2 codes in upper case", () => {
    for (const code of ["DE", "US", "GB", "JP", "BR", "ZA", "AX", "XK"])
      expect(isCountryCode(code)).toBe(true);
  });

  it("refuses unassigned, reserved and lower-case codes", () => {
    for (const code of ["XX", "UK", "EU", "de", "DEU", ""]) expect(isCountryCode(code)).toBe(false);
  });

  it("names the field, and says so when only the case is wrong", () => {
    expect(checkCountryCode("DE", "destination.countryCode")).toEqual([]);
    expect(checkCountryCode("", "destination.countryCode")).toEqual([
      { field: "destination.countryCode", description: "is required" },
    ]);
    expect(checkCountryCode("de", "destination.countryCode")).toEqual([
      { field: "destination.countryCode", description: "must be upper case" },
    ]);
    expect(checkCountryCode("XX", "address.countryCode")).toEqual([
      { field: "address.countryCode", description: "must be an ISO 3166-1 alpha-2 country code" },
    ]);
  });
});
