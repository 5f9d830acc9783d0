import { createRoute, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { callContext } from "../../call-context.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { currentUser, requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { auditEntryJson, auditListRequest, dashboardJson, verificationJson } from "./mappers.ts";
import {
  AuditListSchema,
  AuditQuerySchema,
  DashboardQuerySchema,
  DashboardSchema,
  VerificationSchema,
} from "./schemas.ts";

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});

/** Only users with the admin role: verifying the chain reads the whole log. */
function requireAdmin(): MiddlewareHandler {
  return async function requireAdmin(c, next) {
    if (!currentUser(c).roles.includes("admin")) {
      throw new ProblemError({
        status: 403,
        code: "PERMISSION_DENIED",
        detail: "This requires an admin account.",
      });
    }
    return next();
  };
}

/**
 * The audit log and the business dashboard on the admin surface (`/admin/v1/audit...`,
 * `/admin/v1/dashboard`). Reading the log needs audit.read, the dashboard dashboard.read (support
 * and admins); verifying the chain is for admins. The audit service checks each again.
 */
export const adminAuditRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Audit (admin)";
  const security = bearerSecurity;
  app.on(["GET"], "/audit", requirePermission("audit.read"));
  app.use("/audit/verify", requireAdmin());
  app.use("/dashboard", requirePermission("dashboard.read"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/audit",
      tags: [tag],
      summary: "The audit log",
      description:
        "Every event of the platform, newest first, filtered by actor, subject (aggregate id), type " +
        "(or a package ending in `.`), correlation id and event time. Pages with `pageToken`.",
      security,
      request: { query: AuditQuerySchema },
      responses: { 200: ok("A page of audit entries", AuditListSchema), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const answer = await deps.audit.listAuditEntries(auditListRequest(c.req.valid("query")), {
        call: callContext(c),
      });
      return c.json(
        {
          entries: answer.entries.map(auditEntryJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/audit/verify",
      tags: [tag],
      summary: "Verify the audit log's hash chain",
      description:
        "Recomputes every entry's hash from the first on; `valid: false` names the first broken " +
        "sequence and why. Keep `headHash` somewhere else to detect a chain rewritten as a whole.",
      security,
      responses: { 200: ok("The verification", VerificationSchema), ...problemResponses(401, 403) },
    }),
    async (c) => {
      const answer = await deps.audit.verifyAuditLog({}, { call: callContext(c), timeoutMs: 120_000 });
      return c.json(verificationJson(answer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/dashboard",
      tags: [tag],
      summary: "Business figures",
      description:
        "Orders and revenue per day and currency, average order value, checkout conversion " +
        "(carts → orders: orders placed / carts created, per day and over the range), checkout " +
        "success rate (confirmed / placed), signups, failed payments and orders, top products, " +
        "for a range of UTC days (default the last 30).",
      security,
      request: { query: DashboardQuerySchema },
      responses: { 200: ok("The dashboard", DashboardSchema), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.audit.getDashboard(
        {
          startDate: query.from ?? "",
          endDate: query.to ?? "",
          currency: query.currency ?? "",
          topProductsLimit: query.topProducts ?? 0,
        },
        { call: callContext(c) },
      );
      return c.json(dashboardJson(answer), 200);
    },
  );
};
