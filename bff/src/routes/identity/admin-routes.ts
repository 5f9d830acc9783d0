import { createRoute, z } from "@hono/zod-openapi";
import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { callContext } from "../../call-context.ts";
import { problemResponses } from "../../errors/index.ts";
import { requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { ROLE_VALUES, sessionJson, userJson } from "./mappers.ts";
import {
  IdParamSchema,
  LockSchema,
  SessionSchema,
  SetRolesSchema,
  UserListQuerySchema,
  UserListSchema,
  UserSchema,
} from "./schemas.ts";

const json = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});
const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * User management on the admin surface (`/admin/v1/users...`, `/admin/v1/keys/rotate`). The
 * surface admits staff; each route checks its permission here and identity checks it again.
 */
export const adminUserRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Users (admin)";
  const security = bearerSecurity;
  app.on(["GET"], ["/users", "/users/*"], requirePermission("users.read"));
  app.use("/users/:id/roles", requirePermission("users.roles"));
  app.use("/users/:id/lock", requirePermission("users.lock"));
  app.use("/users/:id/unlock", requirePermission("users.lock"));
  app.on(["DELETE"], "/users/:id/sessions", requirePermission("users.sessions"));
  app.use("/keys/rotate", requirePermission("keys.rotate"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/users",
      tags: [tag],
      summary: "List and search users",
      description: "`query` matches email or display name. Pages with `pageToken` from the previous answer.",
      security,
      request: { query: UserListQuerySchema },
      responses: { 200: ok("A page of users", UserListSchema), ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const answer = await deps.identity.listUsers(
        {
          query: query.query ?? "",
          role: query.role ? ROLE_VALUES[query.role] : Role.UNSPECIFIED,
          pageSize: query.pageSize ?? 0,
          pageToken: query.pageToken ?? "",
        },
        { call: callContext(c) },
      );
      return c.json(
        {
          users: answer.users.map(userJson),
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/users/{id}",
      tags: [tag],
      summary: "One user",
      security,
      request: { params: IdParamSchema },
      responses: { 200: ok("The user", UserSchema), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { user } = await deps.identity.getUser(
        { userId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/users/{id}/roles",
      tags: [tag],
      summary: "Replace a user's roles",
      security,
      request: { params: IdParamSchema, body: json(SetRolesSchema) },
      responses: { 200: ok("The user", UserSchema), ...problemResponses(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { user } = await deps.identity.setUserRoles(
        {
          userId: c.req.valid("param").id,
          roles: c.req.valid("json").roles.map((role) => ROLE_VALUES[role]),
        },
        { call: callContext(c) },
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/users/{id}/lock",
      tags: [tag],
      summary: "Lock an account",
      description: "The user is signed out everywhere and cannot sign in until unlocked.",
      security,
      request: { params: IdParamSchema, body: json(LockSchema) },
      responses: { 200: ok("The user", UserSchema), ...problemResponses(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { user } = await deps.identity.lockUser(
        { userId: c.req.valid("param").id, reason: c.req.valid("json").reason },
        { call: callContext(c) },
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/users/{id}/unlock",
      tags: [tag],
      summary: "Unlock an account",
      security,
      request: { params: IdParamSchema },
      responses: { 200: ok("The user", UserSchema), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { user } = await deps.identity.unlockUser(
        { userId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/users/{id}/sessions",
      tags: [tag],
      summary: "A user's sessions",
      security,
      request: { params: IdParamSchema },
      responses: {
        200: ok("The sessions", z.object({ sessions: z.array(SessionSchema) })),
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { sessions } = await deps.identity.listUserSessions(
        { userId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json({ sessions: sessions.map(sessionJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/users/{id}/sessions",
      tags: [tag],
      summary: "Sign a user out everywhere",
      security,
      request: { params: IdParamSchema },
      responses: {
        200: ok("How many sessions ended", z.object({ revokedCount: z.number().int() })),
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { revokedCount } = await deps.identity.revokeUserSessions(
        { userId: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return c.json({ revokedCount }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/keys/rotate",
      tags: ["Keys (admin)"],
      summary: "Rotate the token signing key",
      description: "Tokens signed with the old key stay valid until they expire: nobody is signed out.",
      security,
      responses: {
        200: ok("The new key id", z.object({ kid: z.string() })),
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { kid } = await deps.identity.rotateSigningKey({}, { call: callContext(c) });
      return c.json({ kid }, 200);
    },
  );
};
