import { describe, expect, it } from "vitest";
import { applyFieldMask, checkFieldMask, maskIncludes, toCamelPath } from "./index.ts";

const WRITABLE = ["label", "address.city", "address.postal_code", "default_shipping"];

describe("checkFieldMask", () => {
  it("selects every writable leaf for an empty mask", () => {
    expect(checkFieldMask([], WRITABLE)).toEqual({ leaves: WRITABLE, violations: [] });
  });

  it("expands a message path to its leaves, in the order of the writable list", () => {
    expect(checkFieldMask(["default_shipping", "address"], WRITABLE).leaves).toEqual([
      "address.city",
      "address.postal_code",
      "default_shipping",
    ]);
  });

  it("names the mask field once per unknown, read-only or malformed path", () => {
    const { violations } = checkFieldMask(["id", "address.City", "label"], WRITABLE, "updateMask");
    expect(violations.map((v) => v.field)).toEqual(["updateMask", "updateMask"]);
    expect(violations[0]?.description).toContain('"id"');
  });
});

describe("field-mask helpers", () => {
  it("tells whether leaves include a path or anything under it", () => {
    expect(maskIncludes(["address.city"], "address")).toBe(true);
    expect(maskIncludes(["address.city"], "label")).toBe(false);
  });

  it("turns proto paths into lowerCamelCase", () => {
    expect(toCamelPath("address.postal_code")).toBe("address.postalCode");
  });

  it("copies the selected leaves without touching the target", () => {
    const target = { label: "Home", address: { city: "Berlin", postalCode: "10115" } };
    const result = applyFieldMask(target, { label: "Office", address: { city: "Hamburg" } }, [
      "address.city",
    ]);
    expect(result).toEqual({ label: "Home", address: { city: "Hamburg", postalCode: "10115" } });
    expect(target.address.city).toBe("Berlin");
  });
});
