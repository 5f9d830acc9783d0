import { describe, expect, it } from "vitest";
import { EU_COUNTRIES, zoneOf } from "./zones.ts";

describe("zoneOf", () => {
  it("puts the shop's own country in the domestic zone", () => {
    expect(zoneOf("DE", "DE")).toBe("domestic");
    expect(zoneOf("US", "US")).toBe("domestic");
  });

  it("puts the other EU member states in the eu zone", () => {
    expect(EU_COUNTRIES.size).toBe(27);
    for (const code of ["FR", "AT", "IT", "PL", "IE", "CY"]) expect(zoneOf(code, "DE")).toBe("eu");
  });

  it("puts every other country in the world zone, including European non-members", () => {
    for (const code of ["CH", "NO", "GB", "US", "JP", "IS"]) expect(zoneOf(code, "DE")).toBe("world");
  });

  it("ships a shop outside the EU to EU countries at the eu rates, and home domestically", () => {
    expect(zoneOf("DE", "CH")).toBe("eu");
    expect(zoneOf("CH", "CH")).toBe("domestic");
  });
});
