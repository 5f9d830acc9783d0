import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { ROLE_NAMES, type RoleName } from "@shopmesh/kit/auth";

export { ROLE_NAMES, type RoleName };

/** The role every new account gets. */
export const DEFAULT_ROLE: RoleName = "customer";

const TO_PROTO: Record<RoleName, Role> = {
  customer: Role.CUSTOMER,
  support: Role.SUPPORT,
  admin: Role.ADMIN,
};

/** True for the names of shopmesh roles (the `roles` claim of access tokens). */
export function isRoleName(value: string): value is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(value);
}

/** The proto enum of a role name. */
export function roleToProto(role: RoleName): Role {
  return TO_PROTO[role];
}

/** The role name of a proto enum value; undefined for ROLE_UNSPECIFIED and unknown values. */
export function roleFromProto(role: Role): RoleName | undefined {
  return ROLE_NAMES.find((name) => TO_PROTO[name] === role);
}

/** Role names in the canonical order (customer, support, admin), without duplicates. */
export function sortRoles(roles: Iterable<RoleName>): RoleName[] {
  const set = new Set(roles);
  return ROLE_NAMES.filter((name) => set.has(name));
}
