import type { RpcContext } from "@shopmesh/kit/rpc";

/**
 * Who sees what. Customers (anonymous or signed in) and services only ever see ACTIVE products;
 * staff holding catalog.write see every state. The RPCs are public either way: the caller decides
 * what they show.
 */
export function seesAllStates(ctx: RpcContext): boolean {
  return ctx.principal?.kind === "user" && ctx.principal.permissions.has("catalog.write");
}
