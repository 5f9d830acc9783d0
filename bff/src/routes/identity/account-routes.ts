import { createRoute, z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import { problemResponses } from "../../errors/index.ts";
import { requireUser } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { withBodyFields } from "./fields.ts";
import { addressJson, isoTime, patchMask, sessionJson, userJson } from "./mappers.ts";
import {
  AddressCreateSchema,
  AddressPatchSchema,
  AddressSchema,
  ChangePasswordSchema,
  ExportSchema,
  IdParamSchema,
  PasswordConfirmSchema,
  ProfilePatchSchema,
  RecoveryCodesSchema,
  SessionSchema,
  TotpCodeSchema,
  TotpEnrollmentSchema,
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
 * The signed-in user's own account (`<prefix>/me...`): profile, password, MFA, sessions,
 * addresses, data export and account deletion. Every route needs an access token.
 */
export const accountRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Account";
  const security = bearerSecurity;
  app.use("/me", requireUser());
  app.use("/me/*", requireUser());

  app.openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: [tag],
      summary: "My profile",
      security,
      responses: { 200: ok("The profile", UserSchema), ...problemResponses(401, 404) },
    }),
    async (c) => {
      const { user } = await deps.identity.getProfile({}, { call: callContext(c) });
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/me",
      tags: [tag],
      summary: "Change my display name or locale",
      description: "Changes exactly the fields sent.",
      security,
      request: { body: json(ProfilePatchSchema) },
      responses: { 200: ok("The changed profile", UserSchema), ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const patch = c.req.valid("json");
      const { user } = await withBodyFields("user", () =>
        deps.identity.updateProfile(
          {
            user: { displayName: patch.displayName ?? "", locale: patch.locale ?? "" },
            updateMask: patchMask(patch),
          },
          { call: callContext(c) },
        ),
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/me",
      tags: [tag],
      summary: "Delete my account",
      description: "Erases personal data and signs out every session. Needs the password.",
      security,
      request: { body: json(PasswordConfirmSchema) },
      responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401) },
    }),
    async (c) => {
      await deps.identity.deleteAccount({ password: c.req.valid("json").password }, { call: callContext(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/me/export",
      tags: [tag],
      summary: "Download everything stored about me",
      security,
      responses: {
        200: ok("The export (also offered as a download)", ExportSchema),
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const data = await deps.identity.exportUserData({}, { call: callContext(c) });
      c.header("Content-Disposition", 'attachment; filename="shopmesh-account.json"');
      c.header("Cache-Control", "no-store");
      return c.json(
        {
          user: userJson(data.user),
          addresses: data.addresses.map(addressJson),
          sessions: data.sessions.map(sessionJson),
          exportTime: isoTime(data.exportTime),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/password",
      tags: [tag],
      summary: "Change my password",
      description: "Signs out my other sessions.",
      security,
      request: { body: json(ChangePasswordSchema) },
      responses: { 204: { description: "Changed" }, ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      await deps.identity.changePassword(
        { currentPassword: body.currentPassword, newPassword: body.newPassword },
        { call: callContext(c) },
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/mfa/totp",
      tags: [tag],
      summary: "Start setting up an authenticator app",
      description:
        "Returns the secret and an otpauth:// URI for a QR code; MFA is on after /me/mfa/totp/confirm.",
      security,
      responses: { 200: ok("The new secret", TotpEnrollmentSchema), ...problemResponses(401, 422) },
    }),
    async (c) => {
      const answer = await deps.identity.enrollTotp({}, { call: callContext(c) });
      c.header("Cache-Control", "no-store");
      return c.json({ secret: answer.secret, otpauthUri: answer.otpauthUri }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/mfa/totp/confirm",
      tags: [tag],
      summary: "Turn MFA on with a code from the app",
      description: "Returns recovery codes, shown only this once.",
      security,
      request: { body: json(TotpCodeSchema) },
      responses: { 200: ok("MFA is on", RecoveryCodesSchema), ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const answer = await deps.identity.confirmTotp(
        { code: c.req.valid("json").code },
        { call: callContext(c) },
      );
      c.header("Cache-Control", "no-store");
      return c.json({ recoveryCodes: answer.recoveryCodes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/mfa/totp/disable",
      tags: [tag],
      summary: "Turn MFA off",
      security,
      request: { body: json(PasswordConfirmSchema) },
      responses: { 204: { description: "MFA is off" }, ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      await deps.identity.disableTotp({ password: c.req.valid("json").password }, { call: callContext(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/mfa/recovery-codes",
      tags: [tag],
      summary: "Replace my recovery codes",
      security,
      request: { body: json(TotpCodeSchema) },
      responses: { 200: ok("The new codes", RecoveryCodesSchema), ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const answer = await deps.identity.regenerateRecoveryCodes(
        { code: c.req.valid("json").code },
        { call: callContext(c) },
      );
      c.header("Cache-Control", "no-store");
      return c.json({ recoveryCodes: answer.recoveryCodes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/me/sessions",
      tags: [tag],
      summary: "Where I am signed in",
      security,
      responses: {
        200: ok("My sessions", z.object({ sessions: z.array(SessionSchema) })),
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const { sessions } = await deps.identity.listSessions({}, { call: callContext(c) });
      return c.json({ sessions: sessions.map(sessionJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/me/sessions/{id}",
      tags: [tag],
      summary: "Sign out one of my sessions",
      security,
      request: { params: IdParamSchema },
      responses: { 204: { description: "Signed out" }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      await deps.identity.revokeSession({ sessionId: c.req.valid("param").id }, { call: callContext(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/me/addresses",
      tags: [tag],
      summary: "My saved addresses",
      security,
      responses: {
        200: ok("My addresses", z.object({ addresses: z.array(AddressSchema) })),
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const { addresses } = await deps.identity.listAddresses({}, { call: callContext(c) });
      return c.json({ addresses: addresses.map(addressJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/me/addresses",
      tags: [tag],
      summary: "Save an address",
      security,
      request: { body: json(AddressCreateSchema) },
      responses: { 201: ok("The saved address", AddressSchema), ...problemResponses(400, 401, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { address } = await withBodyFields("address", () =>
        deps.identity.createAddress(
          {
            address: {
              label: body.label ?? "",
              address: { ...body.address },
              defaultShipping: body.defaultShipping ?? false,
              defaultBilling: body.defaultBilling ?? false,
            },
          },
          { call: callContext(c) },
        ),
      );
      if (!address) throw new Error("the service answered without an address");
      return c.json(addressJson(address), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/me/addresses/{id}",
      tags: [tag],
      summary: "Change a saved address",
      description: "Changes exactly the fields sent.",
      security,
      request: { params: IdParamSchema, body: json(AddressPatchSchema) },
      responses: { 200: ok("The changed address", AddressSchema), ...problemResponses(400, 401, 404, 422) },
    }),
    async (c) => {
      const patch = c.req.valid("json");
      const { address } = await withBodyFields("address", () =>
        deps.identity.updateAddress(
          {
            address: {
              id: c.req.valid("param").id,
              label: patch.label ?? "",
              address: { ...patch.address },
              defaultShipping: patch.defaultShipping ?? false,
              defaultBilling: patch.defaultBilling ?? false,
            },
            updateMask: patchMask(patch, ["address"]),
          },
          { call: callContext(c) },
        ),
      );
      if (!address) throw new Error("the service answered without an address");
      return c.json(addressJson(address), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/me/addresses/{id}",
      tags: [tag],
      summary: "Delete a saved address",
      security,
      request: { params: IdParamSchema },
      responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      await deps.identity.deleteAddress({ addressId: c.req.valid("param").id }, { call: callContext(c) });
      return c.body(null, 204);
    },
  );
};
