import { describe, expect, it } from "vitest";
import { checkCountryCode, isCountryCode } from "./country.ts";

describe("country codes", () => {
  it("knows the assigned ISO 3166-1 alpha-2 codes", () => {
    for (const code of ["DE", "FR", "US", "CH", "JP", "AX", "SS", "ZW"])
      expect(isCountryCode(code)).toBe(true);
  });

  it("refuses user-assigned and made-up codes", () => {
    for (const code of ["XK", "EU", "UK", "ZZ", "AA", "D", "DEU", ""])
      expect(isCountryCode(code)).toBe(false);
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
