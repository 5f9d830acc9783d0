import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { describe, expect, it } from "vitest";
import { isRoleName, roleFromProto, roleToProto, sortRoles } from "./roles.ts";

describe("roles", () => {
  it("maps role names to the proto enum and back", () => {
    expect(roleToProto("admin")).toBe(Role.ADMIN);
    expect(roleFromProto(Role.SUPPORT)).toBe("support");
    expect(roleFromProto(Role.UNSPECIFIED)).toBeUndefined();
  });

  it("knows only the shopmesh roles", () => {
    expect(isRoleName("customer")).toBe(true);
    expect(isRoleName("root")).toBe(false);
  });

  it("sorts roles canonically without duplicates", () => {
    expect(sortRoles(["admin", "customer", "admin"])).toEqual(["customer", "admin"]);
  });
});
