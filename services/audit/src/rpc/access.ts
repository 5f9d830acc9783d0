import { permissionDenied } from "@shopmesh/kit/errors";
import type { RpcContext } from "@shopmesh/kit/rpc";

/**
 * The (admin) rule: a service, or a user with the admin role. Verifying the chain reads the whole
 * log, so it is not a support task; the kit's access rules take a permission, not a role.
 */
export function requireAdmin(ctx: RpcContext): void {
  const principal = ctx.principal;
  if (principal?.kind === "service") return;
  if (principal?.roles.includes("admin")) return;
  throw permissionDenied("the admin role is required");
}
