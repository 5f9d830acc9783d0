/** The roles of shopmesh, as they appear in access tokens (`roles` claim). */
export const ROLE_NAMES = ["customer", "support", "admin"] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/**
 * Permissions checked per RPC. A customer needs none of these for their own data: ownership
 * rules cover that. Support reads and helps; admin manages.
 */
export const PERMISSIONS = [
  "users.read",
  "users.roles",
  "users.lock",
  "users.sessions",
  "keys.rotate",
  "catalog.write",
  "inventory.write",
  "orders.read",
  "orders.write",
  "payments.refund",
  "audit.read",
  "dashboard.read",
  "notifications.admin",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const SUPPORT: Permission[] = ["users.read", "users.sessions", "orders.read", "audit.read", "dashboard.read"];

/** What each role may do; a user's permissions are the union over their roles. */
export const ROLE_PERMISSIONS: Record<RoleName, readonly Permission[]> = {
  customer: [],
  support: SUPPORT,
  admin: PERMISSIONS,
};

/** The permissions granted by a set of roles (unknown role names grant nothing). */
export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) {
    for (const permission of ROLE_PERMISSIONS[role as RoleName] ?? []) granted.add(permission);
  }
  return granted;
}

/** True when `roles` may use the staff surface (/admin/v1): support or admin. */
export function isStaff(roles: readonly string[]): boolean {
  return roles.includes("support") || roles.includes("admin");
}
