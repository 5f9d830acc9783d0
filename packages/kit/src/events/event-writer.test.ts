import { describe, expect, it } from "vitest";
import { permissionsOf } from "../auth/permissions.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import type { RpcContext } from "../rpc/context.ts";
import { actorOf, eventMeta } from "./event-writer.ts";

const user: UserPrincipal = {
  kind: "user",
  userId: "u1",
  sessionId: "s1",
  roles: ["customer"],
  permissions: permissionsOf([]),
};

describe("event meta of a call", () => {
  it("names the caller as the actor", () => {
    expect(actorOf(user)).toBe("user:u1");
    expect(actorOf({ kind: "service", service: "order" })).toBe("service:order");
    expect(actorOf(undefined)).toBeUndefined();
  });

  it("correlates by request id, continues the trace, and falls back to the user acted for", () => {
    const ctx = { requestId: "r1", traceparent: "00-abc-def-01", principal: user } as unknown as RpcContext;
    expect(eventMeta(ctx)).toEqual({ correlationId: "r1", traceparent: "00-abc-def-01", actor: "user:u1" });
    const anonymous = { requestId: "r2" } as unknown as RpcContext;
    expect(eventMeta(anonymous)).toEqual({ correlationId: "r2" });
    expect(eventMeta(anonymous, "u9")).toEqual({ correlationId: "r2", actor: "user:u9" });
  });
});
