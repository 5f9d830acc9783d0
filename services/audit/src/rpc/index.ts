import { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { dashboardHandlers } from "./dashboard.ts";
import type { AuditDeps } from "./deps.ts";
import { entryHandlers } from "./entries.ts";

export type { AuditDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.audit.v1.AuditService. Each maps its request to a store read and the
 * result back to proto; failures map to statuses in the kit's toRpcError.
 */
export function createAuditHandlers(deps: AuditDeps): ServiceHandlers<typeof AuditService> {
  return withErrorMapping(AuditService, {
    ...entryHandlers(deps),
    ...dashboardHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say. (admin) VerifyAuditLog is "authenticated" here
 * and the handler asks for the admin role (access.ts): the kit's rules take a permission.
 * Services pass every rule.
 */
export const AUDIT_ACCESS_RULES: AccessRules<typeof AuditService> = {
  listAuditEntries: { permission: "audit.read" },
  verifyAuditLog: "authenticated",
  getDashboard: { permission: "dashboard.read" },
};
