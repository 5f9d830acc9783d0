import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { applyFieldMask, maskIncludes, resolveFieldMask, toCamelPath } from "./field-mask.ts";

const WRITABLE = ["label", "address.city", "address.postal_code", "default_shipping"];

describe("resolveFieldMask", () => {
  it("selects every writable field for an empty mask", () => {
    expect(resolveFieldMask([], WRITABLE)).toEqual(WRITABLE);
  });

  it("expands a message path to the writable fields under it", () => {
    expect(resolveFieldMask(["address"], WRITABLE)).toEqual(["address.city", "address.postal_code"]);
  });

  it("keeps the order of the writable list and drops duplicates", () => {
    expect(resolveFieldMask(["default_shipping", "label", "label"], WRITABLE)).toEqual([
      "label",
      "default_shipping",
    ]);
  });

  it("rejects unknown paths with a violation on updateMask naming each path", () => {
    let error: unknown;
    try {
      resolveFieldMask(["label", "email", "address.country"], WRITABLE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const violations = (error as DomainError).violations;
    expect(violations.map((v) => v.field)).toEqual(["updateMask", "updateMask"]);
    expect(violations[0]?.description).toContain('"email"');
    expect(violations[1]?.description).toContain('"address.country"');
  });

  it("rejects camelCase and prefix-only paths", () => {
    expect(() => resolveFieldMask(["defaultShipping"], WRITABLE)).toThrow(/defaultShipping/);
    expect(() => resolveFieldMask(["addr"], WRITABLE)).toThrow(DomainError);
  });

  it("names the request's mask field when given", () => {
    expect(() => resolveFieldMask(["x"], WRITABLE, "mask")).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: "mask" })] }),
    );
  });
});

describe("applyFieldMask", () => {
  const target = { label: "Home", address: { city: "Berlin", postalCode: "10115" }, defaultShipping: false };

  it("copies only the selected leaves and leaves the target untouched", () => {
    const result = applyFieldMask(
      target,
      { label: "Work", address: { city: "Hamburg", postalCode: "20095" } },
      ["address.city"],
    );
    expect(result).toEqual({
      label: "Home",
      address: { city: "Hamburg", postalCode: "10115" },
      defaultShipping: false,
    });
    expect(target.address.city).toBe("Berlin");
  });

  it("skips leaves the source does not have", () => {
    expect(applyFieldMask(target, {}, ["label", "address.city"])).toEqual(target);
  });
});

describe("helpers", () => {
  it("converts proto paths to the lowerCamelCase of violations", () => {
    expect(toCamelPath("address.postal_code")).toBe("address.postalCode");
    expect(toCamelPath("display_name")).toBe("displayName");
  });

  it("tells whether a mask covers a field or a message", () => {
    expect(maskIncludes(["address.city"], "address")).toBe(true);
    expect(maskIncludes(["address.city"], "label")).toBe(false);
  });
});
