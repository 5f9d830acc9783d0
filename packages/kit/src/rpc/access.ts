import { Code, ConnectError } from "@connectrpc/connect";
import type { Principal } from "../auth/principal.ts";
import type { AccessRule } from "./types.ts";

/** Enforces an RPC's access rule; throws UNAUTHENTICATED or PERMISSION_DENIED. */
export function authorize(rule: AccessRule, principal: Principal | undefined): void {
  if (rule === "public") return;
  if (!principal) throw new ConnectError("authentication required", Code.Unauthenticated);
  if (rule === "authenticated") return;
  if (rule === "service") {
    if (principal.kind !== "service")
      throw new ConnectError("only services may call this", Code.PermissionDenied);
    return;
  }
  if (principal.kind === "service") return;
  if (!principal.permissions.has(rule.permission)) {
    throw new ConnectError(`permission ${rule.permission} required`, Code.PermissionDenied);
  }
}
